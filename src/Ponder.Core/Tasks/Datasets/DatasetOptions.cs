namespace Ponder.Tasks.Datasets;

/// <summary>
/// Where a dataset task reads its problems and which JSON fields hold what. Each task has a preset matching the
/// public files (see <c>Gsm8kTask.Defaults</c> etc.); users change single fields with <c>--field NAME=FIELD</c>
/// (<see cref="DatasetTasks.Create"/>).
/// </summary>
/// <param name="Path">The JSONL file, one problem per line.</param>
public sealed record DatasetOptions(string Path)
{
    /// <summary>The field holding the problem text.</summary>
    /// <value>The default value is "question" (MATH and AIME presets: "problem").</value>
    public string QuestionField { get; init; } = "question";

    /// <summary>A field used for the question when <see cref="QuestionField"/> is absent from a row, or null for
    /// none.</summary>
    /// <value>The default value is null (AIME preset: "question", as some AIME files use it).</value>
    public string? QuestionFallbackField { get; init; }

    /// <summary>The field holding the reference answer (a string or a number).</summary>
    /// <value>The default value is "answer".</value>
    public string AnswerField { get; init; } = "answer";

    /// <summary>For multiple choice: the field holding a JSON array of choice texts. When a row lacks it, fields
    /// "A", "B", "C", … are used instead.</summary>
    /// <value>The default value is "choices".</value>
    public string ChoicesField { get; init; } = "choices";

    /// <summary>The field holding a problem id, or null to try "unique_id" then "id"; without one the id is
    /// "TASK-LINE" (1-based line number).</summary>
    /// <value>The default value is null.</value>
    public string? IdField { get; init; }

    /// <summary>Whether lines that are not JSON objects are skipped (and counted) instead of failing the
    /// load.</summary>
    /// <value>The default value is false.</value>
    public bool SkipMalformed { get; init; }
}
