using System.Globalization;

namespace Ponder.Runtime;

/// <summary>CPU time used by other processes (Linux /proc): the machine's busy time minus this process's.</summary>
static class CpuUse
{
    const string Stat = "/proc/stat",
        Self = "/proc/self/stat";

    /// <summary>Clock ticks per second of /proc's counters (USER_HZ, 100 on Linux).</summary>
    const double TicksPerSecond = 100;

    public static bool Available => OperatingSystem.IsLinux() && File.Exists(Stat) && File.Exists(Self);

    /// <summary>CPU seconds all other processes have used since boot; NaN when /proc could not be read.</summary>
    public static double OthersSeconds()
    {
        try
        {
            return (MachineBusyTicks() - OwnTicks()) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return double.NaN;
        }
    }

    /// <summary>"cpu  user nice system idle iowait irq softirq steal …": all but idle and iowait.</summary>
    static double MachineBusyTicks()
    {
        using var reader = new StreamReader(Stat);
        var fields = reader.ReadLine()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        double busy = 0;
        for (int i = 1; i < Math.Min(fields.Length, 9); i++)
        {
            if (i is not 4 and not 5)
                busy += double.Parse(fields[i], CultureInfo.InvariantCulture);
        }
        return busy;
    }

    /// <summary>This process's user and system ticks: fields 14 and 15 of /proc/self/stat, counted after the
    /// command name (which may hold spaces) closes with ')'.</summary>
    static double OwnTicks()
    {
        string text = File.ReadAllText(Self);
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state): utime is field 14 → index 11, stime index 12.
        return double.Parse(fields[11], CultureInfo.InvariantCulture)
            + double.Parse(fields[12], CultureInfo.InvariantCulture);
    }
}
