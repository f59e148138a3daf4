namespace DpdkSharp.Packaging.Tests.Infrastructure;

/// <summary>A console app's project as a user writes it: one package from the feed, by version; the app's source is one of this assembly's consumer programs.</summary>
public static class ConsumerProject
{
    /// <summary>
    /// Writes <c>Consumer.csproj</c> (on <paramref name="sdk"/>, referencing <paramref name="packageId"/> at the feed's
    /// version, with <paramref name="properties"/> added as they are) and copies <c>&lt;program&gt;/Program.cs</c> beside it.
    /// </summary>
    public static void Write(string folder, PackedFeed feed, string packageId, string program, string properties = "", string sdk = "Microsoft.NET.Sdk")
    {
        File.WriteAllText(Path.Combine(folder, "Consumer.csproj"), $"""
            <Project Sdk="{sdk}">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                {properties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{packageId}" Version="{feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.Copy(Path.Combine(AppContext.BaseDirectory, program, "Program.cs"), Path.Combine(folder, "Program.cs"));
    }

    /// <summary>Where <c>dotnet build -c Release</c> puts the app.</summary>
    public static string Output(string folder) => Path.Combine(folder, "bin", "Release", "net10.0");

    /// <summary>The shim where .NET's host looks for it in a portable app's output (the package's runtimes/ layout).</summary>
    public static string Shim(string output) => Path.Combine(output, "runtimes", "linux-x64", "native", "libdpdksharp_shim.so");
}
