using System.Globalization;

namespace DpdkSharp.Pktgen.Tests.MultiProcess;

/// <summary>
/// 2 MB hugepages for one test: reserves <c>count</c> more pages than the machine had and mounts a hugetlbfs of its
/// own on a fresh directory; disposing unmounts it (which frees the hugepage files DPDK left in it), removes the
/// directory and puts the reservation back as it was. Fails loudly when the pages cannot be had, never skips.
/// </summary>
public sealed class Hugepages : IDisposable
{
    private const string PoolDirectory = "/sys/kernel/mm/hugepages/hugepages-2048kB";
    private readonly long _previousReservation;
    private bool _mounted;

    public Hugepages(int count)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("The DPDK tools tests need root: they reserve hugepages and mount a hugetlbfs.");
        }

        if (!Directory.Exists(PoolDirectory))
        {
            throw new InvalidOperationException($"No 2 MB hugepage pool ({PoolDirectory}): the kernel needs CONFIG_HUGETLBFS.");
        }

        _previousReservation = Read("nr_hugepages");
        var freeBefore = Read("free_hugepages");
        Write("nr_hugepages", _previousReservation + count);
        MountPoint = Path.Combine(Path.GetTempPath(), $"dpdksharp-huge-{Guid.NewGuid():N}");
        try
        {
            var free = Read("free_hugepages") - freeBefore;
            if (free < count)
            {
                throw new InvalidOperationException($"Asked the kernel for {count} more 2 MB hugepages and got {free} (memory too fragmented?).");
            }

            Directory.CreateDirectory(MountPoint);
            ToolProcess.Check("mount", ["-t", "hugetlbfs", "-o", "pagesize=2M", "nodev", MountPoint], TimeSpan.FromSeconds(30));
            _mounted = true;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Where the hugetlbfs is mounted: the primary's <c>--huge-dir</c>.</summary>
    public string MountPoint { get; }

    /// <summary>Unmounts, removes the mount point and restores the reservation; call only after every DPDK process using it exited.</summary>
    public void Dispose()
    {
        if (_mounted)
        {
            ToolProcess.Check("umount", [MountPoint], TimeSpan.FromSeconds(30));
            _mounted = false;
        }

        if (Directory.Exists(MountPoint))
        {
            Directory.Delete(MountPoint);
        }

        Write("nr_hugepages", _previousReservation);
    }

    private static long Read(string name) =>
        long.Parse(File.ReadAllText(Path.Combine(PoolDirectory, name)).Trim(), CultureInfo.InvariantCulture);

    private static void Write(string name, long value) =>
        File.WriteAllText(Path.Combine(PoolDirectory, name), value.ToString(CultureInfo.InvariantCulture));
}
