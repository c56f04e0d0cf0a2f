using System.Runtime.InteropServices;

namespace Ponder.Runtime;

/// <summary>
/// Gives freed host memory back to the operating system. glibc keeps memory freed inside its heap for reuse: after a
/// load (which holds the weights twice for a moment) or when a cache shrinks, the process would otherwise stay at its
/// peak resident size. Called only after such rare large frees; a no-op where the C library has no
/// <c>malloc_trim</c> (not glibc).
/// </summary>
public static class HostMemory
{
    static bool missing;

    /// <summary>Returns the heap's free memory to the operating system where the C library can.</summary>
    public static void Release()
    {
        if (missing || !OperatingSystem.IsLinux())
            return;
        try
        {
            _ = NativeMethods.malloc_trim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            missing = true; // musl and others: nothing to trim with
        }
    }

    static class NativeMethods
    {
        // DllImport, not LibraryImport: the latter needs unsafe code for this one blittable call.
        [DllImport("libc", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int malloc_trim(nuint pad);
    }
}
