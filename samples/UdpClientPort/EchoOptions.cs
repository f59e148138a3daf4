namespace DpdkSharp.Samples.UdpClientPort;

/// <summary>The command line.</summary>
internal sealed record EchoOptions(string Interface, string Address, int Port, int Seconds, bool Kernel)
{
    public static EchoOptions? Parse(string[] args)
    {
        string iface = "dtap0", address = "10.77.0.2/24";
        int port = 7, seconds = 0;
        bool kernel = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--iface": iface = args[++i]; break;
                case "--address": address = args[++i]; break;
                case "--port": port = int.Parse(args[++i]); break;
                case "--seconds": seconds = int.Parse(args[++i]); break;
                case "--kernel": kernel = true; break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return null;
            }
        }
        return new EchoOptions(iface, address, port, seconds, kernel);
    }
}
