namespace Ponder.Tasks.Datasets;

/// <summary>
/// A task that reads its problems from a JSONL file the user points at. The split is ignored — a dataset file is one
/// split — and <see cref="IReasoningTask.Problems"/> returns the rows in file order (the first <c>count</c> when given,
/// all of them when <c>count</c> is null or larger than the file). The file is read on the first call.
/// </summary>
public interface IDatasetTask : IReasoningTask
{
    /// <summary>The file and field settings the task reads with.</summary>
    DatasetOptions Options { get; }

    /// <summary>How many malformed lines were skipped (0 unless <see cref="DatasetOptions.SkipMalformed"/>); reads the
    /// file.</summary>
    int SkippedLines { get; }
}
