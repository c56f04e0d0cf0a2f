namespace Ponder.Tasks.Code;

/// <summary>How a program fared on its tests, as judges of programming contests name it.</summary>
public enum CodeVerdict
{
    /// <summary>Every test passed.</summary>
    Accepted,

    /// <summary>A test's output or assertion was wrong.</summary>
    WrongAnswer,

    /// <summary>A run exceeded its CPU or wall-clock limit.</summary>
    TimeLimit,

    /// <summary>A run exceeded its memory limit.</summary>
    MemoryLimit,

    /// <summary>A run wrote more than the output limit.</summary>
    OutputLimit,

    /// <summary>A run crashed, exited non-zero or was killed by a signal.</summary>
    RuntimeError,

    /// <summary>The program does not compile (for Python: a syntax error).</summary>
    CompileError,

    /// <summary>The answer has no code block.</summary>
    NoCode,
}

/// <summary>The verdicts' names as graded samples and reports show them.</summary>
public static class CodeVerdicts
{
    public static string Name(this CodeVerdict verdict) =>
        verdict switch
        {
            CodeVerdict.Accepted => "accepted",
            CodeVerdict.WrongAnswer => "wrong answer",
            CodeVerdict.TimeLimit => "time limit",
            CodeVerdict.MemoryLimit => "memory limit",
            CodeVerdict.OutputLimit => "output limit",
            CodeVerdict.RuntimeError => "runtime error",
            CodeVerdict.CompileError => "compile error",
            CodeVerdict.NoCode => "no code",
            _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, "unknown verdict"),
        };
}
