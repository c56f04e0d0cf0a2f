using System.Globalization;

namespace Ponder.Cli.Commands;

/// <summary>
/// The process's peak resident memory (Linux <c>VmHWM</c>) over one measurement: the peak is reset to the current
/// resident size first (<c>/proc/self/clear_refs</c>, value 5), so each batch size gets its own peak, not the
/// largest so far. Where /proc does not offer this, nothing is measured and the bench says so.
/// </summary>
static class ResidentMemory
{
    const string Status = "/proc/self/status",
        ClearRefs = "/proc/self/clear_refs";

    /// <summary>Whether peaks can be measured here.</summary>
    public static bool Available => File.Exists(Status) && File.Exists(ClearRefs);

    /// <summary>Makes the peak the current resident size; false where that is not possible.</summary>
    public static bool ResetPeak()
    {
        if (!Available)
            return false;
        try
        {
            File.WriteAllText(ClearRefs, "5");
            return true;
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

    /// <summary>Peak resident bytes since the last reset (or the process's start), or null where unknown.</summary>
    public static long? PeakBytes() => Field("VmHWM:");

    /// <summary>Resident bytes now, or null where unknown.</summary>
    public static long? CurrentBytes() => Field("VmRSS:");

    static long? Field(string name)
    {
        if (!File.Exists(Status))
            return null;
        foreach (string line in File.ReadLines(Status))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal))
                continue;
            // "VmHWM:\t  123456 kB"
            var parts = line[name.Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
        }
        return null;
    }
}
