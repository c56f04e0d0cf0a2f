using System.Text.Json;
using Ponder.Tasks;
using Ponder.Text;

namespace Ponder.Training;

/// <summary>
/// An endless, position-addressed stream of training conversations: example p depends only on (seed, p), so a
/// resumed run that knows its data position sees exactly the examples the uninterrupted run would have seen.
/// </summary>
public sealed class SftData
{
    readonly Func<long, IReadOnlyList<ChatMessage>> example;

    SftData(
        string description,
        long size,
        Func<long, IReadOnlyList<ChatMessage>> example,
        IReadOnlyList<JsonElement>? tools = null
    )
    {
        Description = description;
        Size = size;
        this.example = example;
        Tools = tools;
    }

    public string Description { get; }

    /// <summary>Function definitions rendered into every example's system turn (the chat template's tools section),
    /// as a rollout renders them when it describes its tools; null renders none.</summary>
    public IReadOnlyList<JsonElement>? Tools { get; }

    /// <summary>The same examples with <paramref name="tools"/> described in each (null or empty: none). The
    /// description names them, so a run's recorded data (what a resume checks) differs with and without them.
    /// </summary>
    public SftData WithTools(IReadOnlyList<JsonElement>? tools)
    {
        if (tools is not { Count: > 0 })
            return new(Description, Size, example);
        var names = tools.Select(t =>
            t.TryGetProperty("function", out var f) && f.TryGetProperty("name", out var n) ? n.GetString() : "?"
        );
        return new($"{Description} with tool definitions: {string.Join(", ", names)}", Size, example, tools);
    }

    /// <summary>Distinct examples before the order repeats (an epoch).</summary>
    public long Size { get; }

    public IReadOnlyList<ChatMessage> Get(long position) => example(position);

    const int MaxTraceMisses = 64;

    /// <summary>The largest share of draws mixed with distinct problems (at 0.9 the draws are 9× the distinct
    /// pool).</summary>
    public const double MaxMixedShare = 0.9;

    /// <summary>Reference traces of up to <paramref name="poolSize"/> distinct training problems, shuffled per epoch,
    /// plus problems as the task draws them, repeats included (<see cref="ITraceTask.Draws"/>: each kind of problem as
    /// often as the generator makes it), making up <paramref name="drawnShare"/> of the pool. Distinct problems
    /// under-represent small problem kinds (one-digit arithmetic is 1 % of the distinct problems but a quarter of
    /// the draws); draws repeat them but cover fewer large problems. A share of 1 is <paramref name="poolSize"/>
    /// draws. A task's reference conversation (<see cref="IConversationTraceTask.Conversation"/>, e.g. one that calls
    /// a tool) is the example when it has one.</summary>
    public static SftData FromTask(ITraceTask task, long seed, int poolSize = 20_000, double drawnShare = 0)
    {
        if (!(drawnShare is >= 0 and <= MaxMixedShare or 1))
        {
            throw new PonderException(
                $"--draw-share {drawnShare}: use 0 to {MaxMixedShare} (that share of the examples drawn, "
                    + "the rest distinct problems) or 1 (draws only)."
            );
        }

        var distinct = drawnShare < 1 ? ProblemPool.Train(task, poolSize) : [];
        int draws =
            drawnShare < 1
                ? (int)Math.Round(distinct.Count * drawnShare / (1 - drawnShare), MidpointRounding.AwayFromZero)
                : poolSize;
        var pool = draws == 0 ? distinct : [.. distinct, .. task.Draws(TaskSplit.Train, draws)];
        string what =
            draws == 0 ? $"{pool.Count} problems"
            : distinct.Count == 0
                ? $"{draws} draws of {pool.Select(p => p.Id).Distinct(StringComparer.Ordinal).Count()} distinct "
                    + "problems"
            : $"{distinct.Count} problems and {draws} draws";
        CheckTraced(task, pool);
        return new SftData($"{task.Name} reference traces ({what})", pool.Count, p => ExampleAt(task, pool, seed, p));
    }

    /// <summary>Refuses settings where most training problems have no reference trace (SFT would find too
    /// few).</summary>
    static void CheckTraced(ITraceTask task, IReadOnlyList<Problem> pool)
    {
        int probe = Math.Min(pool.Count, 200),
            traced = pool.Take(probe).Count(p => task.Trace(p, new Random(0)) is not null);
        if (traced * 4 < probe)
        {
            throw new PonderException(
                $"{task.Name}: only {traced} of the first {probe} training problems have a reference trace; "
                    + "allow longer traces (--task-option max-trace-lines=…) or guided ones (--task-option "
                    + "guided=true)."
            );
        }
    }

    static IReadOnlyList<ChatMessage> ExampleAt(ITraceTask task, IReadOnlyList<Problem> pool, long seed, long p)
    {
        // A problem without a trace (e.g. a countdown search that runs past its line limit, unguided) gives way
        // to the one at the same place of the next epochs' orders: still a function of p alone, so resume stays
        // exact.
        for (int k = 0; k < MaxTraceMisses; k++)
        {
            long at = p + k * pool.Count;
            var problem = pool[Shuffled(at, pool.Count, seed)];
            var rng = new Random(DataOrder.SeedFor(seed, at));
            if (task is IConversationTraceTask conversations && conversations.Conversation(problem, rng) is { } c)
                return c;
            if (task.Trace(problem, rng) is ({ } reasoning, { } answer))
            {
                return
                [
                    new ChatMessage(ChatRole.User, task.Prompt(problem)),
                    new ChatMessage(ChatRole.Assistant, answer, reasoning),
                ];
            }
        }
        throw new PonderException(
            $"{task.Name}: {MaxTraceMisses} problems in a row have no reference trace; "
                + "allow longer traces (--task-option max-trace-lines=…) or guided ones (--task-option "
                + "guided=true)."
        );
    }

    /// <summary>
    /// A JSONL file, one conversation a line: <c>{"messages": [{"role", "content", "reasoning_content"?}, …]}</c>
    /// (OpenAI / HF style; reasoning as DeepSeek returns it; assistant <c>tool_calls</c> and <c>tool</c> results, which
    /// are not learned) or <c>{"prompt", "reasoning", "answer"}</c>.
    /// </summary>
    public static SftData FromFile(string path, long seed)
    {
        if (!File.Exists(path))
            throw new PonderException($"{path}: SFT data file not found.");
        var rows = new List<IReadOnlyList<ChatMessage>>();
        int lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            rows.Add(ParseLine(line, $"{path}:{lineNo}"));
        }
        if (rows.Count == 0)
            throw new PonderException($"{path}: no examples (the file is empty).");
        return new SftData(
            $"{Path.GetFileName(path)} ({rows.Count} examples)",
            rows.Count,
            p => rows[Shuffled(p, rows.Count, seed)]
        );
    }

    static IReadOnlyList<ChatMessage> ParseLine(string line, string where)
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
        if (root.ValueKind != JsonValueKind.Object)
            throw new PonderException($"{where}: expected a JSON object.");
        if (root.TryGetProperty("messages", out var messages))
        {
            if (messages.ValueKind != JsonValueKind.Array)
                throw new PonderException($"{where}: \"messages\" must be an array.");
            var list = messages.EnumerateArray().Select((m, i) => ParseMessage(m, $"{where}: messages[{i}]")).ToList();
            if (!list.Any(m => m.Role == ChatRole.Assistant))
                throw new PonderException($"{where}: no assistant message to learn from.");
            return list;
        }
        string prompt = Field(root, "prompt", where),
            answer = Field(root, "answer", where);
        string? reasoning =
            root.TryGetProperty("reasoning", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        return [new ChatMessage(ChatRole.User, prompt), new ChatMessage(ChatRole.Assistant, answer, reasoning)];
    }

    static ChatMessage ParseMessage(JsonElement m, string where)
    {
        var calls = m.TryGetProperty("tool_calls", out var t) ? ChatMessages.Calls(t, where) : null;
        string role = Field(m, "role", where),
            content = calls is { Count: > 0 }
            && (!m.TryGetProperty("content", out var c) || c.ValueKind == JsonValueKind.Null)
                ? ""
                : Field(m, "content", where);
        string? reasoning =
            m.TryGetProperty("reasoning_content", out var r) && r.ValueKind == JsonValueKind.String
                ? r.GetString()
                : null;
        var chatRole = role switch
        {
            "system" => ChatRole.System,
            "developer" => ChatRole.Developer,
            "user" => ChatRole.User,
            "assistant" => ChatRole.Assistant,
            "tool" => ChatRole.Tool,
            _ => throw new PonderException(
                $"{where}: role \"{role}\" is not one of system, developer, user, assistant, tool."
            ),
        };
        string? callId =
            m.TryGetProperty("tool_call_id", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null;
        return new ChatMessage(chatRole, content, reasoning, calls, callId);
    }

    static string Field(JsonElement o, string name, string where) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new PonderException(
                $"{where}: field \"{name}\" is missing or not a string (lines need \"messages\", or "
                    + "\"prompt\" and \"answer\")."
            );

    static int Shuffled(long p, int n, long seed) => DataOrder.Index(p, n, seed);
}
