using Ponder.Runtime;

namespace Ponder.Tests.Runtime;

/// <summary>The tuner against a simulated 2-core machine: a step's time is a function of the thread count set and of
/// the step's index, and another process keeps a core busy during the steps <c>busy</c> says.</summary>
public sealed class ThreadTunerTests
{
    sealed class Machine
    {
        readonly Func<int, int, double> cost;
        readonly Func<int, bool> busy;
        double now,
            others;

        /// <param name="cost">Seconds per unit of work at (threads, step).</param>
        /// <param name="busy">Whether another process keeps a core busy during a step.</param>
        /// <param name="signal">Whether the tuner can read other processes' CPU use.</param>
        public Machine(Func<int, int, double> cost, Func<int, bool> busy, bool signal = true)
        {
            (this.cost, this.busy) = (cost, busy);
            Tuner = new ThreadTuner(2, t => Threads = t, () => now, signal ? () => others : null);
            Threads = 2;
            Tuner.Enable();
        }

        public ThreadTuner Tuner { get; }
        public int Threads { get; private set; }
        public List<int> ThreadsPerStep { get; } = [];
        public double Seconds => now;

        public void Run(int steps, int work = 4)
        {
            for (int i = 0; i < steps; i++)
            {
                int step = ThreadsPerStep.Count;
                ThreadsPerStep.Add(Threads);
                Tuner.Run(
                    work,
                    () =>
                    {
                        double seconds = Math.Max(work, 1) * cost(Threads, step);
                        now += seconds;
                        others += busy(step) ? seconds : 0; // one core busy all along
                    }
                );
            }
        }
    }

    // Quiet: two threads take 1 s per unit, one thread 1.6. Shared with a busy process: two threads wait for the
    // descheduled one (8 per unit), one thread runs on the core it gets (1.7).
    static double Quiet(int threads) => threads == 2 ? 1.0 : 1.6;

    static double Shared(int threads) => threads == 2 ? 8.0 : 1.7;

    [Fact]
    public void Given_a_quiet_machine_When_many_steps_run_Then_every_step_runs_on_all_threads()
    {
        var m = new Machine((t, _) => Quiet(t), _ => false);

        m.Run(2_000);

        Assert.All(m.ThreadsPerStep, t => Assert.Equal(2, t)); // no probe: as reproducible as a fixed count
    }

    [Fact]
    public void Given_a_busy_competitor_from_the_start_When_steps_run_Then_one_thread_is_chosen_at_the_first_probe()
    {
        var m = new Machine((t, _) => Shared(t), _ => true);

        m.Run(100);

        Assert.Equal(1, m.Tuner.Threads);
        // Step 0 starts the CPU counter, step 1 finds the other process busy and starts a probe: steps 2–4 on one
        // thread (one settles, two measured), 5–7 on two, then one thread from step 8.
        Assert.Equal([2, 2, 1, 1, 1, 2, 2, 2, 1], m.ThreadsPerStep.Take(9));
        // Afterwards two threads run only in probes: steps 24–26 (16 steps after the switch) and 62–64 (32 after
        // the confirmation); the next is due at step 132.
        Assert.Equal(6, m.ThreadsPerStep.Skip(8).Count(t => t == 2));
    }

    [Fact]
    public void Given_a_competitor_that_arrives_late_When_it_is_seen_Then_the_tuner_probes_at_once_and_switches()
    {
        var m = new Machine((t, step) => step < 1_500 ? Quiet(t) : Shared(t), step => step >= 1_500);

        m.Run(1_600);

        Assert.Equal(1, m.Tuner.Threads);
        Assert.All(m.ThreadsPerStep.Take(1_501), t => Assert.Equal(2, t));
        Assert.Equal([1, 1, 1, 2, 2, 2, 1], m.ThreadsPerStep.Skip(1_501).Take(7));
    }

    [Fact]
    public void Given_the_competitor_leaves_When_its_cpu_use_stops_Then_all_threads_come_back_at_once()
    {
        var m = new Machine((t, step) => step < 300 ? Shared(t) : Quiet(t), step => step < 300);

        m.Run(1_000);

        Assert.Equal(2, m.Tuner.Threads);
        Assert.Equal(1, m.ThreadsPerStep[299]);
        Assert.All(m.ThreadsPerStep.Skip(301), t => Assert.Equal(2, t));
    }

    [Fact]
    public void Given_no_cpu_signal_on_a_quiet_machine_When_many_steps_run_Then_probes_cost_little()
    {
        var m = new Machine((t, _) => Quiet(t), _ => false, signal: false);

        m.Run(2_000);

        Assert.Equal(2, m.Tuner.Threads);
        // A probe is 3 one-thread steps and 3 two-thread ones, after 16, 32, 64 … 512 steps: 6 probes in the first
        // 1,044 steps, one more by step 1,562 → 7 probes, 21 one-thread steps (1 % of 2,000, 0.6 % of the time).
        Assert.Equal(21, m.ThreadsPerStep.Count(t => t == 1));
        Assert.True(m.Seconds <= 1.01 * 2_000 * 4, $"{m.Seconds} s against 8,000 s at the best count throughout");
    }

    [Fact]
    public void Given_no_cpu_signal_and_a_competitor_that_arrives_late_When_steps_slow_down_Then_it_switches_soon()
    {
        var m = new Machine((t, step) => step < 1_500 ? Quiet(t) : Shared(t), _ => false, signal: false);

        m.Run(1_600);

        Assert.Equal(1, m.Tuner.Threads);
        // Four slow steps make the median of the last eight (the mean of its middle two) slow and start a probe (the
        // next periodic one was due at step 1,556).
        Assert.Equal(1_504, m.ThreadsPerStep.FindIndex(1_500, t => t == 1));
    }

    [Fact]
    public void Given_a_pinned_count_When_steps_run_on_a_busy_machine_Then_the_tuner_never_changes_it()
    {
        var m = new Machine((t, _) => Shared(t), _ => true);
        m.Tuner.Pin(2);

        m.Run(200);

        Assert.All(m.ThreadsPerStep, t => Assert.Equal(2, t));
        Assert.False(m.Tuner.Enabled);
    }

    [Fact]
    public void Given_steps_with_no_measured_work_When_they_run_Then_the_tuner_neither_probes_nor_switches()
    {
        var m = new Machine((t, _) => Shared(t), _ => true);

        m.Run(100, work: 0);

        Assert.All(m.ThreadsPerStep, t => Assert.Equal(2, t));
    }

    [Fact]
    public void Given_a_probe_under_way_When_the_steps_end_and_the_tuner_settles_Then_the_settled_count_applies()
    {
        var m = new Machine((t, _) => Shared(t), _ => true);
        m.Run(2); // step 1 finds the CPU shared and starts a probe of one thread
        Assert.Equal(1, m.Threads);

        m.Tuner.Settle();

        Assert.Equal(2, m.Threads); // nothing decided yet: all threads
        m.Run(19);
        // The next probe comes a full period later: steps 2–17 on two threads, then one thread from step 18.
        Assert.All(m.ThreadsPerStep.Skip(2).Take(16), t => Assert.Equal(2, t));
        Assert.Equal([1, 1, 1], m.ThreadsPerStep.Skip(18).Take(3));
    }
}
