using System.Globalization;
using System.Text.Json.Nodes;
using Ponder.Generation;
using Ponder.Text;

namespace Ponder.Clients.Fleet;

/// <summary>The <c>/v1/completions</c> request a rollout needs and its answer as <see cref="Completion"/>s, in vLLM's
/// shape (SGLang and <c>ponder serve</c> speak it too).</summary>
static class CompletionsWire
{
    public const string Path = "v1/completions";

    /// <summary>One prompt's N samples: the prompt as token ids, the sampled tokens' log-probabilities and every
    /// generated id back (<c>return_token_ids</c>, and <c>token_id:N</c> strings for servers without it).</summary>
    public static JsonObject Request(string model, IReadOnlyList<int> prompt, SamplingOptions options)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["prompt"] = new JsonArray([.. prompt.Select(id => (JsonNode)id)]),
            ["n"] = options.N,
            ["max_tokens"] = options.MaxNewTokens,
            ["temperature"] = options.Temperature,
            ["top_p"] = options.TopP,
            ["logprobs"] = 0,
            ["return_token_ids"] = true,
            ["return_tokens_as_token_ids"] = true,
            ["skip_special_tokens"] = false,
        };
        if (options.Seed is long seed)
            body["seed"] = seed;
        if (options.TopK > 0)
            body["top_k"] = options.TopK;
        if (options.MinP > 0)
            body["min_p"] = options.MinP;
        return body;
    }

    /// <summary>What the trainer needs to decode a completion as its own engine would.</summary>
    public sealed record Decoding(
        TextTokenizer Tokenizer,
        IReadOnlySet<int> StopTokenIds,
        int? ThinkStart,
        int? ThinkEnd
    );

    /// <summary>The answer's choices, by index, as the local generator's completions of prompt
    /// <paramref name="promptIndex"/>; a choice without ids or log-probs, or with a count that disagrees, is a
    /// <see cref="ReplicaFailure"/>.</summary>
    public static Completion[] Parse(string json, int promptIndex, IReadOnlyList<int> prompt, int n, Decoding d)
    {
        var choices = JsonNode.Parse(json)?["choices"] as JsonArray;
        if (choices is null || choices.Count != n)
            throw new ReplicaFailure($"answered {choices?.Count ?? 0} choices where {n} were asked");
        bool open = DecodeRow.ReasoningOpens(prompt, d.ThinkStart, d.ThinkEnd);
        var result = new Completion[n];
        foreach (var choice in choices)
        {
            int j = choice?["index"]?.GetValue<int>() ?? -1;
            if (j < 0 || j >= n || result[j] is not null)
                throw new ReplicaFailure($"answered a choice with index {j} (0 to {n - 1}, once each, were asked)");
            var ids = Ids(choice!);
            var logprobs = choice!["logprobs"]?["token_logprobs"] as JsonArray;
            if (logprobs is null || logprobs.Count != ids.Length)
            {
                throw new ReplicaFailure(
                    $"choice {j} has {ids.Length} token ids and {logprobs?.Count ?? 0} log-probs; the trainer needs "
                        + "one log-prob per generated id (logprobs: 0)"
                );
            }

            var text = ids.Length > 0 && d.StopTokenIds.Contains(ids[^1]) ? ids[..^1] : ids;
            int end = open ? Array.LastIndexOf(ids, d.ThinkEnd ?? -1) : -1;
            result[j] = new Completion(
                promptIndex,
                j,
                prompt.ToArray(),
                ids,
                [.. logprobs.Select(x => (float)(x?.GetValue<double>() ?? double.NaN))],
                d.Tokenizer.Decode(text),
                (string?)choice["finish_reason"] == "length" ? FinishReason.Length : FinishReason.Stop,
                end >= 0 ? end : null
            );
        }
        return result;
    }

    /// <summary>The generated ids: vLLM's <c>token_ids</c>, else <c>logprobs.tokens</c> as <c>token_id:N</c>.</summary>
    static int[] Ids(JsonNode choice)
    {
        if (choice["token_ids"] is JsonArray ids)
            return [.. ids.Select(x => x!.GetValue<int>())];
        if (choice["logprobs"]?["tokens"] is JsonArray tokens)
        {
            var parsed = tokens
                .Select(t => (string?)t is { } s && s.StartsWith("token_id:", StringComparison.Ordinal) ? s[9..] : null)
                .ToArray();
            if (parsed.All(p => p is not null))
                return [.. parsed.Select(p => int.Parse(p!, NumberStyles.Integer, CultureInfo.InvariantCulture))];
        }
        throw new ReplicaFailure(
            "answered without the generated token ids: the server must honour return_token_ids (vLLM ≥ 0.10.2) or "
                + "return_tokens_as_token_ids"
        );
    }
}
