using System.Text.RegularExpressions;
using DpdkSharp.Generator.Clang;
using DpdkSharp.Generator.Model;
using static DpdkSharp.Generator.Clang.LibClang;

namespace DpdkSharp.Generator.Parsing;

/// <summary>
/// Reads API stability markers. DPDK (rte_compat.h) marks experimental API with <c>__rte_experimental</c>:
/// <c>section(".text.experimental")</c>, plus <c>deprecated("Symbol is not yet part of stable ABI")</c> unless
/// ALLOW_EXPERIMENTAL_API; and internal API with <c>__rte_internal</c>: <c>section(".text.internal")</c>, plus
/// <c>error</c>/<c>diagnose_if</c> "Symbol is not public ABI" unless ALLOW_INTERNAL_API. Plain deprecation is
/// <c>__rte_deprecated</c>/<c>__rte_deprecated_msg</c>. libclang 14 exposes section and error attributes only as
/// unexposed attributes, so their text is read from the source: as written, or from the macro definition
/// that wrote them (<see cref="MacroTable"/>).
/// </summary>
internal sealed partial class AvailabilityReader
{
    /// <summary>The message DPDK's experimental marker deprecates with: not a real deprecation.</summary>
    public const string ExperimentalMessage = "Symbol is not yet part of stable ABI";
    /// <summary>The message DPDK's internal marker errors with (error or diagnose_if attribute).</summary>
    public const string InternalMessage = "Symbol is not public ABI";

    private readonly SourceFiles _sources;
    private readonly MacroTable _macros;

    public AvailabilityReader(SourceFiles sources, MacroTable macros)
    {
        _sources = sources;
        _macros = macros;
    }

    public unsafe Availability Read(CXCursor c)
    {
        if (clang_Cursor_hasAttrs(c) == 0)
        {
            return Availability.Stable;
        }

        int alwaysDeprecated, alwaysUnavailable;
        CXString deprecatedMessage, unavailableMessage;
        clang_getCursorPlatformAvailability(c, &alwaysDeprecated, &deprecatedMessage, &alwaysUnavailable, &unavailableMessage, null, 0);
        var message = Take(deprecatedMessage);
        Take(unavailableMessage);

        bool experimental = false, @internal = false;
        foreach (var attribute in c.Children().Where(a => a.Kind == CXCursorKind.UnexposedAttr))
        {
            // The attribute as written (section(...)), or the macro that wrote it, expanded.
            var text = _macros.Expand(_sources.Text(clang_getCursorExtent(attribute)));
            foreach (Match section in Section().Matches(text))
            {
                experimental |= section.Groups[1].Value == ".text.experimental";
                @internal |= section.Groups[1].Value == ".text.internal";
            }
            @internal |= text.Contains(InternalMessage, StringComparison.Ordinal);
        }
        if (message == ExperimentalMessage)
        {
            experimental = true;
            alwaysDeprecated = 0;
        }
        var deprecated = alwaysDeprecated != 0;
        if (!deprecated && !experimental && !@internal)
        {
            return Availability.Stable;
        }

        return new Availability(deprecated, deprecated && message.Length > 0 ? message : null, experimental, @internal);
    }

    [GeneratedRegex("""\b_*section_*\s*\(\s*"([^"]*)"\s*\)""")]
    private static partial Regex Section();
}
