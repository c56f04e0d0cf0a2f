using System.Diagnostics;

namespace Ponder.Runtime;

/// <summary>
/// Chooses libtorch's intra-op thread count while work runs. libtorch's OpenMP threads wait for each other at every
/// op; when another process takes one of the cores, a step on all threads waits for the descheduled one and can be
/// many times slower than the same step on fewer threads. While other processes keep the CPU busy, the tuner times
/// steps and now and then tries a neighbouring count (half or double the current) for a few steps, then the current
/// one again, and keeps whichever costs less per unit of work; it probes at once when steps become much costlier than
/// at its last decision, and otherwise ever more rarely while its choice keeps winning. On a quiet machine it uses all
/// threads and never probes, so runs there are as reproducible as without it (a changed count can round reductions
/// differently).
/// libtorch's thread count is process-wide, so is the tuner (<see cref="Shared"/>); it assumes one thread steps at a
/// time (the count is applied on the stepping thread). It is off until the application
/// enables it (the command line does, unless the user fixed the count): a library user's numbers then do not depend
/// on a changing thread count, whose reductions may round differently.
/// </summary>
public sealed class ThreadTuner
{
    /// <summary>Steps a probe discards after changing the count (the thread pool settles), then measures.</summary>
    const int SettleSteps = 1,
        ProbeSteps = 2;

    /// <summary>A candidate must be this much cheaper to replace the current count.</summary>
    const double Margin = 0.9;

    /// <summary>Steps this much costlier than at the last decision start a probe at once.</summary>
    const double Slowdown = 1.5;

    /// <summary>How often other processes' CPU use is read, in seconds.</summary>
    const double CheckSeconds = 0.5;

    /// <summary>A gap between steps longer than this, in seconds, is a pause: other processes' CPU use over it says
    /// nothing about the steps'.</summary>
    const double MaxPauseSeconds = 1;

    /// <summary>Cores other processes must keep busy for the CPU to count as shared.</summary>
    const double BusyCores = 0.3;

    readonly object gate = new();
    readonly Action<int> setThreads;
    readonly Func<double> seconds;
    readonly Func<double>? othersCpuSeconds;
    double checkedAt = double.NaN,
        othersAtCheck,
        lastEnd = double.NaN;
    bool contended;
    readonly int minPeriod,
        maxPeriod;
    readonly List<double> recent = []; // cost per unit of the last steps at the current count
    readonly List<double> probed = []; // cost per unit in the current probe phase
    int current,
        period,
        sinceDecision,
        phaseSteps,
        candidate;
    Phase phase = Phase.Running;
    bool tryLower = true;
    double reference = double.NaN; // cost per unit of the winner at the last decision
    double candidateCost;

    /// <param name="maxThreads">The most threads to use (libtorch's default: one per core).</param>
    /// <param name="setThreads">Applies a thread count (libtorch's <c>set_num_threads</c>).</param>
    /// <param name="seconds">A clock in seconds (a stopwatch; tests give a simulated one).</param>
    /// <param name="othersCpuSeconds">CPU seconds other processes have used so far (a cumulative counter), or null
    /// where unknown: then the tuner probes as if the CPU were always shared.</param>
    /// <param name="minPeriod">Steps between probes after a change. <value>The default value is 16.</value></param>
    /// <param name="maxPeriod">The longest wait between probes while the choice keeps winning.
    /// <value>The default value is 512.</value></param>
    public ThreadTuner(
        int maxThreads,
        Action<int> setThreads,
        Func<double> seconds,
        Func<double>? othersCpuSeconds,
        int minPeriod = 16,
        int maxPeriod = 512
    )
    {
        ArgumentNullException.ThrowIfNull(setThreads);
        ArgumentNullException.ThrowIfNull(seconds);
        if (maxThreads < 1 || minPeriod < 1 || maxPeriod < minPeriod)
            throw new ArgumentException("the tuner needs maxThreads ≥ 1 and 1 ≤ minPeriod ≤ maxPeriod.");
        (MaxThreads, this.setThreads, this.seconds, this.othersCpuSeconds) = (
            maxThreads,
            setThreads,
            seconds,
            othersCpuSeconds
        );
        contended = othersCpuSeconds is null;
        (this.minPeriod, this.maxPeriod) = (minPeriod, maxPeriod);
        current = maxThreads;
        period = minPeriod;
    }

    enum Phase
    {
        Running,
        Candidate,
        Current,
    }

    /// <summary>The process's tuner over libtorch's threads; off until <see cref="Enable"/>.</summary>
    public static ThreadTuner Shared { get; } = CreateShared();

    public int MaxThreads { get; }

    /// <summary>The count the tuner has settled on (a probe may be running another).</summary>
    public int Threads
    {
        get
        {
            lock (gate)
                return current;
        }
    }

    /// <summary>Whether the tuner changes the count.</summary>
    public bool Enabled { get; private set; }

    /// <summary>Starts tuning from all <see cref="MaxThreads"/>.</summary>
    public void Enable()
    {
        lock (gate)
        {
            Enabled = true;
            Restart();
        }
    }

    void Restart()
    {
        (current, period, phase, sinceDecision) = (MaxThreads, minPeriod, Phase.Running, 0);
        (reference, tryLower) = (double.NaN, true);
        recent.Clear();
        setThreads(current);
    }

    /// <summary>Fixes the thread count (the user asked for it) and stops tuning.</summary>
    public void Pin(int threads)
    {
        lock (gate)
        {
            Enabled = false;
            current = threads;
            setThreads(threads);
        }
    }

    /// <summary>Runs one step of <paramref name="work"/> units (e.g. rows decoded) and learns from its time. Steps
    /// whose cost is not comparable with their neighbours' (a prefill among decodes) pass 0 units: they run at the
    /// current count and are not measured.</summary>
    public T Run<T>(double work, Func<T> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (!Enabled)
            return step();
        double start = seconds();
        bool paused = start - lastEnd > MaxPauseSeconds;
        var result = step();
        double end = seconds();
        lastEnd = end;
        Watch(end, paused);
        if (work > 0)
            Record((end - start) / work);
        return result;
    }

    /// <inheritdoc cref="Run{T}(double, Func{T})"/>
    public void Run(double work, Action step)
    {
        ArgumentNullException.ThrowIfNull(step);
        Run(
            work,
            () =>
            {
                step();
                return 0;
            }
        );
    }

    void Record(double cost)
    {
        lock (gate)
        {
            if (!Enabled)
                return;
            switch (phase)
            {
                case Phase.Running:
                    Running(cost);
                    break;
                case Phase.Candidate:
                    if (Measured(cost))
                    {
                        candidateCost = Median(probed);
                        Enter(Phase.Current, current);
                    }
                    break;
                case Phase.Current:
                    if (Measured(cost))
                        Decide(candidateCost, Median(probed));
                    break;
            }
        }
    }

    /// <summary>Other processes' CPU use over the last <see cref="CheckSeconds"/>: contended when they keep at least
    /// <see cref="BusyCores"/> of a core busy. When they stop, all threads come back at once.</summary>
    void Watch(double now, bool paused)
    {
        if (othersCpuSeconds is null || (now - checkedAt < CheckSeconds && !paused))
            return;
        lock (gate)
        {
            if (now - checkedAt < CheckSeconds && !paused)
                return; // another stepping thread just checked
            double others = othersCpuSeconds();
            if (double.IsNaN(others))
                return; // unreadable this time
            bool was = contended;
            // After a pause between steps, the window spans other work too (another program the process ran, such as
            // a peer's benchmark): start a new one without deciding.
            if (!double.IsNaN(checkedAt) && !paused)
                contended = (others - othersAtCheck) / (now - checkedAt) >= BusyCores;
            (checkedAt, othersAtCheck) = (now, others);
            if (!Enabled || was == contended)
                return;
            if (contended)
                sinceDecision = period; // a competitor arrived: probe at the next step
            else
                Restart(); // it left: all threads again
        }
    }

    /// <summary>Ends a probe under way and applies the settled count, or all threads on a quiet CPU: called when a
    /// run of steps ends, so work outside them (a training step after rollouts) does not run at a probe's count.
    /// </summary>
    public void Settle()
    {
        lock (gate)
        {
            if (!Enabled)
                return;
            if (!contended)
            {
                Restart();
                return;
            }
            if (phase != Phase.Running)
                (phase, sinceDecision) = (Phase.Running, 0);
            setThreads(current);
        }
    }

    void Running(double cost)
    {
        if (!contended)
            return;
        sinceDecision++;
        recent.Add(cost);
        if (recent.Count > 8)
            recent.RemoveAt(0);
        bool slowed = recent.Count == 8 && Median(recent) > Slowdown * reference;
        if ((sinceDecision >= period || slowed) && NextCandidate() is int next)
        {
            candidate = next;
            Enter(Phase.Candidate, next);
        }
    }

    /// <summary>Half or double the current count, alternating, within 1 … MaxThreads; null when there is none.
    /// </summary>
    int? NextCandidate()
    {
        int lower = Math.Max(1, current / 2),
            higher = Math.Min(MaxThreads, current * 2);
        int? first = tryLower ? lower : higher,
            second = tryLower ? higher : lower;
        tryLower = !tryLower;
        return first != current ? first
            : second != current ? second
            : null;
    }

    void Enter(Phase next, int threads)
    {
        (phase, phaseSteps) = (next, 0);
        probed.Clear();
        setThreads(threads);
    }

    /// <summary>Counts a probe step; true once the phase has its measured steps.</summary>
    bool Measured(double cost)
    {
        if (++phaseSteps > SettleSteps)
            probed.Add(cost);
        return probed.Count >= ProbeSteps;
    }

    void Decide(double candidateCost, double currentCost)
    {
        bool switchTo = candidateCost < Margin * currentCost;
        if (switchTo)
        {
            current = candidate;
            period = minPeriod;
        }
        else
        {
            period = Math.Min(2 * period, maxPeriod);
        }
        reference = Math.Min(candidateCost, currentCost);
        (phase, sinceDecision) = (Phase.Running, 0);
        recent.Clear();
        setThreads(current);
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        int n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static ThreadTuner CreateShared()
    {
        var clock = Stopwatch.StartNew();
        return new ThreadTuner(
            TorchSharp.torch.get_num_threads(),
            TorchSharp.torch.set_num_threads,
            () => clock.Elapsed.TotalSeconds,
            CpuUse.Available ? CpuUse.OthersSeconds : null
        );
    }
}
