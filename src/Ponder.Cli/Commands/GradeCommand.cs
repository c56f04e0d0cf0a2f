using System.CommandLine;
using System.Text.Json;
using Ponder.Tasks;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder grade</c>: the task's one grader applied to (reference, answer) pairs from a file.</summary>
static class GradeCommand
{
    public static Command Create(CliOutput io)
    {
        var task = new TaskOptions();
        var pairs = new Option<string>("--pairs")
        {
            Description =
                "JSON lines {\"reference\", \"answer\"} (and \"problem\" where the task needs it, e.g. "
                + "countdown's numbers).",
            Required = true,
        };
        var json = CommonOptions.Json();
        var command = new Command("grade", "Grade answers against references with a task's grader.") { pairs, json };
        task.AddTo(command);
        command.SetAction(r => Run(io, task.Spec(r), r.GetValue(pairs)!, r.GetValue(json)));
        return command;
    }

    static int Run(CliOutput io, TaskSpec spec, string path, bool json)
    {
        var grader = Grader(spec);
        int correct = 0,
            total = 0;
        foreach (var (problem, answer) in ReadPairs(path, spec.Name))
        {
            var grade = grader.Grade(problem, answer);
            total++;
            if (grade.Correct)
                correct++;
            Print(io, grade, json);
        }
        if (!json)
            io.Error.WriteLine($"{correct} of {total} correct");
        return 0;
    }

    /// <summary>The (problem, answer) pairs of a pairs file, in order; bad lines end in an error naming the file and
    /// line.</summary>
    public static IEnumerable<(Problem Problem, string Answer)> ReadPairs(string path, string task)
    {
        if (!File.Exists(path))
            throw new PonderException($"{path}: pairs file not found.");
        int lineNo = 0,
            index = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            yield return Parse(line, $"{path}:{lineNo}", task, index++);
        }
    }

    /// <summary>The task's grader. A dataset task's grader needs no file: it is the task's definition over an empty
    /// problem list.</summary>
    public static IReasoningTask Grader(TaskSpec spec) =>
        spec.Data is null && Ponder.Tasks.Datasets.DatasetTasks.Names.Contains(spec.Name)
            ? Ponder.Tasks.Datasets.DatasetTasks.Create(spec.Name, "(pairs)", spec.Fields)
            : spec.Create();

    static void Print(CliOutput io, Grade grade, bool json)
    {
        if (json)
        {
            io.Out.WriteLine(
                CliJson.Line(
                    new Dictionary<string, object?> { ["correct"] = grade.Correct, ["canonical"] = grade.Canonical }
                )
            );
        }
        else
        {
            io.Out.WriteLine($"{(grade.Correct ? "correct  " : "incorrect")}  {grade.Canonical ?? "(no answer)"}");
        }
    }

    static (Problem Problem, string Answer) Parse(string line, string where, string task, int index)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(line).RootElement;
        }
        catch (JsonException e)
        {
            throw new PonderException($"{where}: not valid JSON ({e.Message.Split('.')[0]}).");
        }
        string reference = Text(root, "reference", where),
            answer = Text(root, "answer", where);
        var metadata = new Dictionary<string, string>();
        if (root.TryGetProperty("problem", out var p))
        {
            if (p.ValueKind == JsonValueKind.Object)
            {
                foreach (var f in p.EnumerateObject())
                {
                    metadata[f.Name] =
                        f.Value.ValueKind == JsonValueKind.String ? f.Value.GetString()! : f.Value.GetRawText();
                }
            }
            else
            {
                metadata["question"] = p.ValueKind == JsonValueKind.String ? p.GetString()! : p.GetRawText();
            }
        }
        else if (task == "countdown")
        {
            throw new PonderException(
                $"{where}: countdown needs \"problem\": {{\"numbers\": \"12 5 7 9\", \"target\": \"41\"}} to "
                    + "check the expression."
            );
        }

        string question = metadata.TryGetValue("question", out var q) ? q : "";
        return (new Problem($"pair-{index}", question, reference, metadata), answer);
    }

    static string Text(JsonElement o, string name, string where) =>
        o.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? (v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText())
            : throw new PonderException(
                $"{where}: field \"{name}\" is missing (lines need \"reference\" and \"answer\")."
            );
}
