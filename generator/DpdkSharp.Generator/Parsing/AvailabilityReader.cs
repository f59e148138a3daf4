using DpdkSharp.Generator.Clang;
using DpdkSharp.Generator.Model;
using static DpdkSharp.Generator.Clang.LibClang;

namespace DpdkSharp.Generator.Parsing;

/// <summary>
/// Reads API stability markers. DPDK marks experimental API with <c>__rte_experimental</c> (a section
/// attribute, plus a deprecation with a fixed message unless ALLOW_EXPERIMENTAL_API) and internal API
/// with <c>__rte_internal</c> (section ".text.internal"); plain deprecation is <c>__rte_deprecated</c>.
/// Attribute text is read from the source by offset (see <see cref="SourceFiles"/>).
/// </summary>
internal sealed unsafe class AvailabilityReader
{
    /// <summary>The message DPDK's experimental marker deprecates with: not a real deprecation.</summary>
    public const string ExperimentalMessage = "Symbol is not yet part of stable ABI";

    private readonly SourceFiles _sources = new();

    public Availability Read(CXCursor c)
    {
        if (clang_Cursor_hasAttrs(c) == 0)
            return Availability.Stable;

        int alwaysDeprecated, alwaysUnavailable;
        CXString deprecatedMessage, unavailableMessage;
        clang_getCursorPlatformAvailability(c, &alwaysDeprecated, &deprecatedMessage, &alwaysUnavailable, &unavailableMessage, null, 0);
        var message = Take(deprecatedMessage);
        Take(unavailableMessage);

        bool experimental = false, @internal = false;
        foreach (var attribute in c.Children().Where(a => a.IsAttribute()))
        {
            var text = _sources.Text(clang_getCursorExtent(attribute));
            experimental |= text.Contains("experimental", StringComparison.Ordinal);
            @internal |= text.Contains(".text.internal", StringComparison.Ordinal) || text.Contains("__rte_internal", StringComparison.Ordinal);
        }
        if (message.Contains(ExperimentalMessage, StringComparison.Ordinal))
        {
            experimental = true;
            alwaysDeprecated = 0;
        }
        if (alwaysDeprecated == 0 && !experimental && !@internal)
            return Availability.Stable;
        return new Availability(alwaysDeprecated != 0, alwaysDeprecated != 0 && message.Length > 0 ? message : null, experimental, @internal);
    }
}
