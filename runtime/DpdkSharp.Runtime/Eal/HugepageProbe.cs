namespace DpdkSharp.Runtime;

/// <summary>Whether this machine can give DPDK hugepages: a mounted hugetlbfs and at least one free page.</summary>
internal static class HugepageProbe
{
    public static bool Available()
    {
        try
        {
            var mounted = File.ReadLines("/proc/mounts").Any(line => line.Split(' ') is [_, _, "hugetlbfs", ..]);
            return mounted && FreePages() > 0;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    // Free pages of every size (/sys lists each page size; /proc/meminfo only the default one).
    private static long FreePages()
    {
        const string root = "/sys/kernel/mm/hugepages";
        if (!Directory.Exists(root))
        {
            return 0;
        }

        long free = 0;
        foreach (var dir in Directory.EnumerateDirectories(root))
        {
            var file = Path.Combine(dir, "free_hugepages");
            if (File.Exists(file) && long.TryParse(File.ReadAllText(file).Trim(), out var n))
            {
                free += n;
            }
        }
        return free;
    }
}
