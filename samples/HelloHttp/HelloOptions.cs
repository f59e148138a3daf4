using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DpdkSharp.Samples.HelloHttp;

/// <summary>The command line; <see cref="Interface"/> and <see cref="Vdev"/> both null means kernel sockets.</summary>
/// <param name="Vdev">--vdev DEVARGS: any DPDK virtual device instead of net_tap (e.g. <c>net_memif0,role=server,socket=/tmp/x.sock,socket-abstract=no</c>).</param>
/// <param name="Mac">--mac: the interface's MAC (null: the port's, or one made from the address on net_tap).</param>
/// <param name="HeadersTimeout">Kestrel's KeepAliveTimeout and RequestHeadersTimeout in seconds (0: Kestrel's defaults, 130 s and 30 s).</param>
/// <param name="RxMode">How the reactor waits for packets (--rx-mode poll|interrupt|adaptive); null for the transport's default.</param>
/// <param name="Inline">--inline: Kestrel and the endpoints run on the transport's I/O thread (UnsafePreferInlineScheduling of either transport).</param>
internal sealed record HelloOptions(string? Interface, string? Vdev, string? Mac, string Address, int Port, int H2cPort, int TlsPort, int Seconds, string Lcores, int HeadersTimeout, DpdkSharp.Runtime.Polling.RxMode? RxMode, bool Inline)
{
    public static HelloOptions? Parse(string[] args)
    {
        string? iface = null, vdev = null, mac = null;
        string address = "10.79.0.2/24", lcores = "0";
        int port = 8080, h2cPort = 8081, tlsPort = 8443, seconds = 0, headersTimeout = 0;
        DpdkSharp.Runtime.Polling.RxMode? rxMode = null;
        bool inline = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--iface": iface = args[++i]; break;
                case "--vdev": vdev = args[++i]; break;
                case "--mac": mac = args[++i]; break;
                case "--address": address = args[++i]; break;
                case "--port": port = int.Parse(args[++i]); break;
                case "--h2c-port": h2cPort = int.Parse(args[++i]); break;
                case "--tls-port": tlsPort = int.Parse(args[++i]); break;
                case "--seconds": seconds = int.Parse(args[++i]); break;
                case "--lcores": lcores = args[++i]; break;
                case "--headers-timeout": headersTimeout = int.Parse(args[++i]); break;
                case "--rx-mode": rxMode = Enum.Parse<DpdkSharp.Runtime.Polling.RxMode>(args[++i], ignoreCase: true); break;
                case "--inline": inline = true; break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return null;
            }
        }
        if (iface is not null && vdev is not null)
        {
            Console.Error.WriteLine("--iface and --vdev both name the port: give one");
            return null;
        }
        if (!address.Contains('/'))
        {
            address += "/24";
        }
        return new HelloOptions(iface, vdev, mac, address, port, h2cPort, tlsPort, seconds, lcores, headersTimeout, rxMode, inline);
    }
}

/// <summary>The HTTPS certificate, made at start: self-signed, for the address and localhost.</summary>
internal static class SelfSignedCertificate
{
    public static X509Certificate2 Create(string address)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=DpdkSharp HelloHttp", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Parse(address));
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false)); // server authentication
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(7));
        // Through PKCS#12 so the private key is a persisted one, as SslStream wants on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
