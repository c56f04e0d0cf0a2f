using System.Globalization;
using Ponder.Text;

namespace Ponder.Tasks.Generated;

/// <summary>
/// The <c>arithmetic</c> task: <c>a+b</c>, <c>a-b</c> or <c>a*b</c> with operand digit counts drawn uniformly from
/// <see cref="ArithmeticOptions.MinDigits"/>..<see cref="ArithmeticOptions.MaxDigits"/>. Prompt <c>Compute 347*28.</c>,
/// answer the bare integer (<c>9716</c>, negative for subtraction below zero). The grader reads the last integer of
/// the answer text (<see cref="IntegerAnswer"/>); the trace is <see cref="ArithmeticScratchpad"/>.
/// The split key is the problem with + and * operands sorted, so <c>28*347</c> and <c>347*28</c> share a split.
/// With <see cref="ArithmeticOptions.Tool"/> the prompt also shows how to call python, and the reference is the
/// conversation that calls it (<see cref="ArithmeticTool"/>).
/// </summary>
public sealed class ArithmeticTask : IConversationTraceTask
{
    public ArithmeticTask(ArithmeticOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    public ArithmeticOptions Options { get; }

    public string Name => "arithmetic";

    /// <summary>One step per line of the trace.</summary>
    public string StepSeparator => ReasoningSteps.Lines;

    public IReadOnlyList<Problem> Problems(TaskSplit split, int? count) =>
        ProblemDraws.Sample(Name, Options.Seed, split, count, Draw);

    public IReadOnlyList<Problem> ProblemsUpTo(TaskSplit split, int count) =>
        ProblemDraws.Sample(Name, Options.Seed, split, count, Draw, upTo: true);

    public IReadOnlyList<Problem> Draws(TaskSplit split, int count) =>
        ProblemDraws.Sample(Name, Options.Seed, split, count, Draw, distinct: false);

    public string Prompt(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return Options.Tool is null
            ? $"Compute {problem.Question}."
            : $"Compute {problem.Question}.\n{ArithmeticTool.PromptLine}";
    }

    public Grade Grade(Problem problem, string answerText)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return IntegerAnswer.Grade(problem.Reference, answerText ?? "");
    }

    public (string Reasoning, string Answer)? Trace(Problem problem, Random rng)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var (a, op, b) = Operands(problem);
        return ArithmeticScratchpad.Write(a, op, b);
    }

    /// <summary>With a tool, the conversation that calls python and answers from its result; null without.</summary>
    public IReadOnlyList<ChatMessage>? Conversation(Problem problem, Random rng)
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (Options.Tool is null)
            return null;
        var (a, op, b) = Operands(problem);
        return ArithmeticTool.Conversation(Prompt(problem), a, op, b, problem.Reference);
    }

    (long A, char Op, long B) Operands(Problem problem) =>
        (
            long.Parse(ProblemDraws.Meta(Name, problem, "a"), CultureInfo.InvariantCulture),
            ProblemDraws.Meta(Name, problem, "op")[0],
            long.Parse(ProblemDraws.Meta(Name, problem, "b"), CultureInfo.InvariantCulture)
        );

    /// <summary>The problem <c>a op b</c> (op one of + - *), as this task generates it.</summary>
    public static Problem Create(long a, char op, long b)
    {
        long result = op switch
        {
            '+' => a + b,
            '-' => a - b,
            '*' => a * b,
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "operation must be +, - or *"),
        };
        string question = $"{a}{op}{b}";
        var metadata = new Dictionary<string, string>
        {
            ["a"] = a.ToString(CultureInfo.InvariantCulture),
            ["b"] = b.ToString(CultureInfo.InvariantCulture),
            ["op"] = op.ToString(),
            ["digits"] = $"{Digits(a)},{Digits(b)}",
        };
        return new Problem("arith-" + question, question, result.ToString(CultureInfo.InvariantCulture), metadata);
    }

    /// <summary>The split key: + and * are commutative, so their operands are sorted.</summary>
    internal static string Key(long a, char op, long b) =>
        op == '-' ? $"{a}-{b}" : $"{Math.Min(a, b)}{op}{Math.Max(a, b)}";

    ProblemDraws.Drawn? Draw(Random rng)
    {
        char op = Options.Operations[rng.Next(Options.Operations.Length)];
        long a = Operand(rng),
            b = Operand(rng);
        return new ProblemDraws.Drawn(Key(a, op, b), Create(a, op, b));
    }

    long Operand(Random rng)
    {
        int digits = rng.Next(Options.MinDigits, Options.MaxDigits + 1);
        long low = digits == 1 ? 0 : (long)Math.Pow(10, digits - 1),
            high = (long)Math.Pow(10, digits);
        return rng.NextInt64(low, high);
    }

    static int Digits(long n) => Math.Abs(n).ToString(CultureInfo.InvariantCulture).Length;
}
