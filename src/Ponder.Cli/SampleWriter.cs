using Ponder.Rollouts;
using Ponder.Runs;

namespace Ponder.Cli;

/// <summary>Writes graded samples as JSON lines as they arrive (so an interrupted evaluation keeps what it
/// has).</summary>
sealed class SampleWriter : IDisposable
{
    readonly StreamWriter writer;
    readonly bool tools;

    /// <param name="path">The JSONL file.</param>
    /// <param name="tools">The samples are multi-turn: each line also says its turns and tool calls.</param>
    public SampleWriter(string path, bool tools = false)
    {
        this.tools = tools;
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
            Directory.CreateDirectory(dir);
        writer = new StreamWriter(path, append: false) { AutoFlush = true };
    }

    public void Write(Rollout r, double? score = null)
    {
        var line = new Dictionary<string, object?>
        {
            ["problem_id"] = r.Problem.Id,
            ["sample_index"] = r.Completion.SampleIndex,
            ["text"] = r.Completion.Text,
            ["answer"] = r.Grade.Canonical,
            ["answer_text"] = r.Answer,
            ["correct"] = r.Grade.Correct,
            ["reasoning_tokens"] = r.ReasoningTokens,
            ["answer_tokens"] = r.AnswerTokens,
            ["finish_reason"] = r.Completion.FinishReasonText,
            // Log-probability of the completion under the sampling distribution (vLLM's cumulative_logprob), and of
            // its least likely token: the model's own confidence, e.g. to compare a scorer's ranking with.
            ["logprob"] = r.Completion.Logprobs.Sum(l => (double)l),
            ["min_logprob"] = r.Completion.Logprobs.Count == 0 ? 0.0 : r.Completion.Logprobs.Min(),
        };
        if (score is not null)
            line["score"] = score;
        if (r.Grade.Verdict is not null)
            line["verdict"] = r.Grade.Verdict;
        if (r.Grade.Score is not null)
            line["tests_passed"] = r.Grade.Score;
        if (r.Grade.Detail is not null)
            line["verdict_detail"] = r.Grade.Detail;
        if (r.Grade.Error is not null)
            line["grader_error"] = r.Grade.Error;
        if (tools)
        {
            line["turns"] = r.Turns;
            line["tool_calls"] = r.ToolCalls;
        }
        writer.WriteLine(CliJson.Line(line));
    }

    public static SampleRecord Record(Rollout r) =>
        new(
            r.Problem.Id,
            r.Completion.SampleIndex,
            r.Problem.Question,
            r.Completion.Text,
            r.Grade.Canonical,
            r.Grade.Correct,
            null,
            r.ReasoningTokens,
            r.AnswerTokens,
            null
        );

    public void Dispose() => writer.Dispose();
}
