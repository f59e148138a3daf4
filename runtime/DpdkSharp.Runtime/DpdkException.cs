using System.Runtime.InteropServices;
using DpdkSharp.Interop;

namespace DpdkSharp.Runtime;

/// <summary>
/// A DPDK function failed. Carries the function's name, the (positive) errno it reported — from
/// <c>rte_errno</c> or from its negative return code — and DPDK's own message for it (<c>rte_strerror</c>).
/// </summary>
public sealed class DpdkException : Exception
{
    /// <summary>Creates the exception for <paramref name="function"/> failing with <paramref name="errorCode"/>.</summary>
    /// <param name="function">The DPDK function that failed, e.g. <c>rte_eth_dev_configure</c>.</param>
    /// <param name="errorCode">The errno (sign is ignored: DPDK returns <c>-errno</c> as often as it sets <c>rte_errno</c>).</param>
    /// <param name="context">What the call was about (arguments, port, name), appended to the message.</param>
    public DpdkException(string function, int errorCode, string? context = null)
        : base(Format(function, Math.Abs(errorCode), context))
    {
        Function = function;
        ErrorCode = Math.Abs(errorCode);
        ErrorMessage = StrError(ErrorCode);
        Context = context;
    }

    /// <summary>The DPDK function that failed.</summary>
    public string Function { get; }

    /// <summary>The positive errno value (e.g. 19 for ENODEV).</summary>
    public int ErrorCode { get; }

    /// <summary>DPDK's message for <see cref="ErrorCode"/> (<c>rte_strerror</c>).</summary>
    public string ErrorMessage { get; }

    /// <summary>The caller's description of the call, if any.</summary>
    public string? Context { get; }

    /// <summary>Throws for a negative DPDK return code; returns non-negative codes unchanged.</summary>
    internal static int Check(int returnCode, string function, string? context = null)
    {
        if (returnCode < 0)
        {
            throw new DpdkException(function, returnCode, context);
        }

        return returnCode;
    }

    /// <summary>An exception for a function that signalled failure (NULL, -1) and left the cause in <c>rte_errno</c>.</summary>
    internal static DpdkException FromErrno(string function, string? context = null) =>
        new(function, Dpdk.rte_errno_get(), context);

    private static string Format(string function, int errorCode, string? context) =>
        $"{function} failed: {StrError(errorCode)} (errno {errorCode})" + (context is null ? "" : $"; {context}");

    /// <summary>DPDK's message for an errno; rte_strerror covers both libc errnos and DPDK's own (E_RTE_*).</summary>
    internal static unsafe string StrError(int errorCode)
    {
        try
        {
            return Marshal.PtrToStringUTF8((nint)Dpdk.rte_strerror(errorCode)) ?? $"errno {errorCode}";
        }
        catch (DllNotFoundException)
        {
            return $"errno {errorCode}";
        }
    }
}
