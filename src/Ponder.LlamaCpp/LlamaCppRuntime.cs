using LLama.Native;

namespace Ponder.LlamaCpp;

/// <summary>Configures LLamaSharp's native library once per process, before its first use.</summary>
static class LlamaCppRuntime
{
    static readonly Lock Gate = new();
    static bool initialized;

    /// <summary>llama.cpp logs every load to stderr; only its errors are passed on, or every line with
    /// <c>PONDER_LLAMA_LOG=1</c> (to see why a file does not load).</summary>
    public static void Initialize()
    {
        lock (Gate)
        {
            if (initialized)
                return;
            NativeLibraryConfig.All.WithLogCallback(
                (level, message) =>
                {
                    if (level == LLamaLogLevel.Error || Environment.GetEnvironmentVariable("PONDER_LLAMA_LOG") == "1")
                        Console.Error.Write(message);
                }
            );
            initialized = true;
        }
    }
}
