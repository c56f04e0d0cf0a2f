using System.Text;

namespace Ponder.Runtime;

/// <summary>
/// Turns TorchSharp's native load failures into one message that names the cause. TorchSharp reports a missing
/// GLIBCXX version as "doesn't contain a reference to libtorch-cpu-linux-x64", which points the wrong way.
/// </summary>
public static class TorchRuntime
{
    const string NeededVersion = "GLIBCXX_3.4.32";

    public static bool IsNativeLoadFailure(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is DllNotFoundException)
                return true;
            if (
                x.Message.Contains("libtorch", StringComparison.OrdinalIgnoreCase)
                || x.Message.Contains("LibTorchSharp", StringComparison.Ordinal)
            )
            {
                return true;
            }
        }
        return false;
    }

    public static string Explain(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null)
            inner = inner.InnerException;
        string cause = HostLacksGlibcxx()
            ? $"this machine's libstdc++ lacks {NeededVersion}, which TorchSharp 0.107's libLibTorchSharp.so "
                + "asks for. The build marks that requirement weak in the copy under bin/ (see README, "
                + "Troubleshooting): rebuild with `dotnet build`, and do not copy natives from elsewhere."
            : "check that the TorchSharp-cpu package restored completely (`dotnet restore`) and that "
                + "bin/…/runtimes/linux-x64/native holds libtorch*.so.";
        return $"TorchSharp's native library failed to load ({inner.Message.Split('\n')[0]}); {cause}";
    }

    static bool HostLacksGlibcxx()
    {
        if (!OperatingSystem.IsLinux())
            return false;
        string[] candidates =
        [
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
        ];
        string? lib = candidates.FirstOrDefault(File.Exists);
        if (lib is null)
            return false;
        byte[] needle = Encoding.ASCII.GetBytes(NeededVersion + "\0");
        return File.ReadAllBytes(lib).AsSpan().IndexOf(needle) < 0;
    }
}
