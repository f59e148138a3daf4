using System.Globalization;

namespace DpdkSharp.Runtime;

/// <summary>Turns <see cref="EalOptions"/> into the argv the EAL parses.</summary>
internal static class EalArguments
{
    public static List<string> Build(EalOptions options, bool hugepagesAvailable)
    {
        MultiProcessRequirements.Check(options, hugepagesAvailable);
        var args = new List<string> { options.ProgramName };
        if (options.Lcores is { } lcores)
        {
            args.AddRange(["-l", lcores]);
        }

        if (options.MainLcore is { } main)
        {
            args.AddRange(["--main-lcore", main.ToString(CultureInfo.InvariantCulture)]);
        }

        var huge = options.UseHugepages ?? hugepagesAvailable;
        if (!huge)
        {
            args.Add("--no-huge");
        }
        // Without hugepages the EAL's default (64 MB) is too small for a pool of a few thousand mbufs.
        var memory = options.MemoryMb ?? (huge ? (int?)null : 256);
        if (memory is { } mb)
        {
            args.AddRange(["-m", mb.ToString(CultureInfo.InvariantCulture)]);
        }

        foreach (var vdev in options.VirtualDevices)
        {
            args.AddRange(["--vdev", vdev]);
        }

        if (options.PciAllowList.Count == 0 && options.PciBlockList.Count == 0)
        {
            args.Add("--no-pci");
        }

        foreach (var pci in options.PciAllowList)
        {
            args.AddRange(["-a", pci]);
        }

        foreach (var pci in options.PciBlockList)
        {
            args.AddRange(["-b", pci]);
        }

        args.AddRange(["--file-prefix", options.FilePrefix ?? $"dpdksharp-{Environment.ProcessId}"]);
        // DPDK 22.11 refuses --in-memory with --no-huge (no-huge implies legacy memory, which in-memory excludes).
        // Without hugepages there are no hugepage files anyway, so in-memory then means: no shared config files.
        if (options.InMemory)
        {
            args.Add(huge ? "--in-memory" : "--no-shconf");
        }

        if (options.LogLevel is { } level)
        {
            args.AddRange(["--log-level", ((int)level).ToString(CultureInfo.InvariantCulture)]);
        }

        if (options.IovaMode != IovaMode.Auto)
        {
            args.AddRange(["--iova-mode", options.IovaMode == IovaMode.PhysicalAddress ? "pa" : "va"]);
        }

        if (options.NoTelemetry)
        {
            args.Add("--no-telemetry");
        }

        foreach (var extra in options.ExtraArguments)
        {
            if (extra is "-h" or "--help")
            {
                throw new ArgumentException($"EAL argument '{extra}' prints the EAL's usage and exits the process; leave it out.", nameof(options));
            }
        }
        args.AddRange(options.ExtraArguments);
        return args;
    }
}
