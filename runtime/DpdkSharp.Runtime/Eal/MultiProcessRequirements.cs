namespace DpdkSharp.Runtime;

/// <summary>
/// What <see cref="EalOptions.MultiProcess"/> needs before the EAL starts: shareable memory and shared config files.
/// A secondary process (dpdk-dumpcap, dpdk-proc-info) maps the primary's memory from its hugepage files and reads
/// its layout from the config file in the runtime directory; without hugepages (<c>--no-huge</c>) the memory is
/// anonymous and the secondary fails to start, so the runtime refuses the combination up front and says what to do.
/// </summary>
internal static class MultiProcessRequirements
{
    private const string HowToGetHugepages =
        "reserve 2 MB hugepages and mount a hugetlbfs as root (echo 512 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages; " +
        "mkdir -p /dev/hugepages; mount -t hugetlbfs nodev /dev/hugepages), then leave UseHugepages unset or true";

    private static readonly string[] ExclusiveArguments = ["--no-huge", "--in-memory", "--no-shconf"];

    /// <summary>Throws when the options ask for a multi-process primary that no secondary could attach to.</summary>
    /// <exception cref="ArgumentException">The options themselves contradict <see cref="EalOptions.MultiProcess"/>.</exception>
    /// <exception cref="InvalidOperationException">The machine has no hugepages to give (no hugetlbfs mounted, or no free page).</exception>
    public static void Check(EalOptions options, bool hugepagesAvailable)
    {
        if (!options.MultiProcess)
        {
            return;
        }

        if (options.InMemory)
        {
            throw new ArgumentException("EalOptions.MultiProcess and EalOptions.InMemory exclude each other: secondary processes attach " +
                "through the primary's runtime files, which InMemory turns off. Leave InMemory false.", nameof(options));
        }

        if (options.UseHugepages == false)
        {
            throw new ArgumentException("EalOptions.MultiProcess needs hugepages, but UseHugepages is false: DPDK secondary processes " +
                "(dpdk-dumpcap, dpdk-proc-info) cannot map the memory of a --no-huge primary (it is anonymous). To run as a primary, " +
                HowToGetHugepages + ".", nameof(options));
        }

        foreach (var argument in options.ExtraArguments)
        {
            var name = argument.Split('=', 2)[0];
            if (ExclusiveArguments.Contains(name))
            {
                throw new ArgumentException($"EalOptions.MultiProcess cannot work with the EAL argument '{argument}': " +
                    (name == "--no-huge"
                        ? "DPDK secondary processes cannot map the memory of a --no-huge primary (it is anonymous). Leave it out and " + HowToGetHugepages + "."
                        : "it turns off the runtime files secondary processes attach through. Leave it out."), nameof(options));
            }
        }

        if (options.UseHugepages is null && !hugepagesAvailable)
        {
            throw new InvalidOperationException("EalOptions.MultiProcess needs hugepages and this machine has none to give (no hugetlbfs " +
                "mounted, or no free hugepage): DPDK secondary processes (dpdk-dumpcap, dpdk-proc-info) cannot map the memory of a " +
                "--no-huge primary (it is anonymous). To run as a primary, " + HowToGetHugepages + ".");
        }
    }

    /// <summary>The file prefix the EAL uses: the last one given (a raw <c>--file-prefix</c> overrides the typed one).</summary>
    public static string FilePrefixIn(IReadOnlyList<string> arguments)
    {
        for (var i = arguments.Count - 1; i >= 0; i--)
        {
            if (arguments[i].StartsWith("--file-prefix=", StringComparison.Ordinal))
            {
                return arguments[i]["--file-prefix=".Length..];
            }

            if (arguments[i] == "--file-prefix" && i + 1 < arguments.Count)
            {
                return arguments[i + 1];
            }
        }

        return "rte";
    }
}
