using DpdkSharp.Generator.Model;

namespace DpdkSharp.Generator.Selection;

/// <summary>
/// Keeps the names C code uses for its types where C# can carry them. C# type aliases (<c>using X = Y;</c>) are
/// file-scoped, or assembly-scoped with <c>global using</c>, never visible to the bindings' users, so the visible form
/// is a type of that name:
/// <list type="bullet">
/// <item>a record named by exactly one typedef of the bound headers takes the typedef's name (<c>typedef struct
/// z_stream_s {...} z_stream;</c> → <c>z_stream</c>, <c>typedef struct pcap pcap_t;</c> → <c>pcap_t</c>); its tag stays in C code
/// and in the docs;</item>
/// <item>a typedef of the bound headers that is a pointer to a struct written by its tag is a handle struct of its own
/// holding that pointer (<c>typedef struct gzFile_s *gzFile;</c> → <c>gzFile</c>), passed exactly as the pointer is (a one-pointer struct is an INTEGER-class argument on x86_64 System V).</item>
/// </list>
/// Typedefs of function pointers and of numbers stay resolved: a wrapper there would stop C# from calling or
/// computing with them directly.
/// </summary>
internal static class TypedefNames
{
    public static void Apply(BindingSet set)
    {
        var records = set.Records.GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.Last());
        var taken = new HashSet<string>(set.Records.Select(r => r.Name).Concat(set.Enums.Select(e => e.Name)), StringComparer.Ordinal);
        // Any typedef that names a bound record, wherever declared (libc's FILE for struct _IO_FILE too).
        var direct = set.Model.Typedefs
            .Where(t => t.Target is CRecordRef r && r.Name != t.Name && records.ContainsKey(r.Name) && !taken.Contains(t.Name))
            .GroupBy(t => ((CRecordRef)t.Target).Name);
        foreach (var g in direct)
        {
            // Reserved names (glibc's __FILE beside FILE) give way to a public one; two public names: keep the tag.
            var names = g.Select(t => t.Name).Distinct().ToList();
            if (names.Count > 1)
            {
                names = [.. names.Where(n => !n.StartsWith('_'))];
            }

            if (names.Count != 1)
            {
                continue;
            }

            set.RecordNames[g.Key] = names[0];
            taken.Add(names[0]);
        }
        foreach (var t in set.Typedefs.DistinctBy(t => t.Name))
        {
            // The pointee written as a struct (gzFile's struct gzFile_s *), not a typedef of its own (zlib's z_streamp is
            // z_stream *: a plain z_stream* reads better there, and z_stream is the name users hold).
            if (t.Target is CPointerType { Pointee: CRecordRef r } && records.ContainsKey(r.Name) && taken.Add(t.Name))
            {
                set.Handles.Add(t);
            }
        }
    }
}
