using Ponder.Generation;
using Ponder.Rollouts;
using Ponder.Tasks;

namespace Ponder.Tests.Rollouts;

public sealed class GradeAllTests
{
    /// <summary>A grader that waits like a sandboxed run does and records where and how many ran at once.</summary>
    sealed class SlowTask(int workers) : IReasoningTask
    {
        int running;

        public int MostAtOnce;
        public readonly System.Collections.Concurrent.ConcurrentBag<int> Threads = [];

        public string Name => "slow";

        public int GradingWorkers => workers;

        public IReadOnlyList<Problem> Problems(TaskSplit split, int? count) => [];

        public string Prompt(Problem problem) => problem.Question;

        public Grade Grade(Problem problem, string answerText)
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref MostAtOnce, now);
            Threads.Add(Environment.CurrentManagedThreadId);
            Thread.Sleep(30);
            Interlocked.Decrement(ref running);
            return new Grade(answerText.Trim() == problem.Reference, answerText.Trim());
        }

        static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value)
                Interlocked.CompareExchange(ref target, value, seen);
        }
    }

    static Completion Answer(int prompt, string text) =>
        new(prompt, 0, [], [], [], "<think>\n</think>\n" + text, FinishReason.Stop, null);

    [Fact]
    public void Given_a_task_grading_with_2_workers_Then_8_answers_are_graded_2_at_a_time_off_the_callers_thread()
    {
        var task = new SlowTask(workers: 2);
        var problems = Enumerable
            .Range(0, 8)
            .Select(i => new Problem($"p{i}", "q", $"{i}", new Dictionary<string, string>()))
            .ToArray();
        // Answers 0..7, with the odd ones wrong.
        var completions = Enumerable.Range(0, 8).Select(i => Answer(i, i % 2 == 0 ? $"{i}" : "x")).ToArray();

        var rollouts = LocalRollouts.GradeAll(task, completions, i => problems[completions[i].PromptIndex]);

        Assert.Equal([true, false, true, false, true, false, true, false], rollouts.Select(r => r.Grade.Correct));
        Assert.Equal(2, task.MostAtOnce);
        Assert.DoesNotContain(Environment.CurrentManagedThreadId, task.Threads);
    }

    [Fact]
    public void Given_a_computing_grader_Then_answers_are_graded_one_at_a_time_in_order()
    {
        var task = new SlowTask(workers: 1);
        var problems = new[] { new Problem("p", "q", "1", new Dictionary<string, string>()) };
        var completions = new[] { Answer(0, "1"), Answer(0, "2") };

        var rollouts = LocalRollouts.GradeAll(task, completions, _ => problems[0]);

        Assert.Equal(["1", "2"], rollouts.Select(r => r.Grade.Canonical));
        Assert.Equal(1, task.MostAtOnce);
    }
}
