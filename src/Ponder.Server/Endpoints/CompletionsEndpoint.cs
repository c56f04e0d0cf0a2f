using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Ponder.Generation;
using Ponder.Server.Api;
using Ponder.Serving;

namespace Ponder.Server.Endpoints;

/// <summary>
/// <c>POST /v1/completions</c>: a prompt as text or token ids, continued as it is (no chat template) — what an RL
/// trainer sends its rollout engine, in vLLM's shape: <c>n</c> choices with per-choice seeds as in
/// <see cref="SampleSeeds"/> (so a replica samples what the trainer's own engine would), <c>logprobs</c> of the sampled
/// tokens under the sampling distribution (logits / temperature: vLLM's <c>processed_logprobs</c>), and
/// <c>return_token_ids</c>. The text and ids include any reasoning, so a prompt that opens a think block is served only
/// by a server started with <c>--reasoning raw</c>. Not streamed.
/// </summary>
static class CompletionsEndpoint
{
    public static async Task Handle(HttpContext ctx, ServerState s)
    {
        var req = await RequestReader
            .ReadAsync<CompletionRequest>(ctx.Request, s.Options.MaxRequestBytes)
            .ConfigureAwait(false);
        s.CheckModel(req.Model);
        if (req.Stream == true)
            throw ApiException.BadRequest("'stream' is not served on /v1/completions; send it false.", "stream");
        if (req.Echo == true)
            throw ApiException.BadRequest("'echo' is not served; send it false.", "echo");
        if (req.Logprobs is < 0 or > 1)
            throw ApiException.BadRequest("'logprobs' must be 0 or 1 (the sampled token's own).", "logprobs");
        var engine = s.Engine;
        var prompt = Prompt(req.Prompt, engine);
        bool open = DecodeRow.ReasoningOpens(prompt, engine.Prompt.ThinkStartId, engine.Prompt.ThinkEndId);
        if (open && s.Options.Reasoning != ReasoningMode.Raw)
        {
            throw ApiException.BadRequest(
                "the prompt opens a think block and a completion's text and ids would reveal the hidden reasoning: "
                    + "this server shows reasoning only when started with --reasoning raw.",
                "prompt"
            );
        }

        int n = ChatCompletionsEndpoint.Choices(req.N, s);
        var request = new GenerationRequest
        {
            PromptIds = prompt,
            ReasoningOpen = open,
            Temperature = RequestReader.Range(req.Temperature, 1.0, 0, 2, "temperature"),
            TopP = RequestReader.Range(req.TopP, 1.0, double.Epsilon, 1, "top_p"),
            TopK = (int)RequestReader.Range(req.TopK, 0, -1, int.MaxValue, "top_k"),
            MinP = RequestReader.Range(req.MinP, 0, 0, 1, "min_p"),
            MaxNewTokens = RequestReader.MaxTokens(req.MaxTokens, "max_tokens", prompt.Length, engine, s.Options),
            Stop = RequestReader.Stop(req.Stop),
            // one seed for the request, drawn here when absent, so its n choices are n streams of it
            Seed = req.Seed ?? Random.Shared.NextInt64(),
        };
        var handles = Submit(ctx, s, request, n);
        using var abort = ctx.RequestAborted.Register(() => Array.ForEach(handles, h => h.Cancel()));
        var results = await Task.WhenAll(handles.Select(h => h.Result)).ConfigureAwait(false);
        await Results
            .Json(Response(s, req, prompt, open, results), statusCode: StatusCodes.Status200OK)
            .ExecuteAsync(ctx)
            .ConfigureAwait(false);
    }

    static int[] Prompt(JsonElement? prompt, InferenceEngine engine)
    {
        if (prompt is { ValueKind: JsonValueKind.String } text)
            return [.. engine.Model.Tokenizer.Encode(text.GetString()!)];
        if (prompt is { ValueKind: JsonValueKind.Array } ids && ids.GetArrayLength() > 0)
        {
            var list = new int[ids.GetArrayLength()];
            int i = 0;
            foreach (var id in ids.EnumerateArray())
            {
                if (id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out list[i]))
                    break;
                if (list[i] < 0 || list[i] >= engine.VocabSize)
                    break;
                i++;
            }

            if (i == list.Length)
                return list;
        }
        throw ApiException.BadRequest(
            $"'prompt' must be a non-empty string or one non-empty array of token ids in [0, {engine.VocabSize - 1}].",
            "prompt"
        );
    }

    static SequenceHandle[] Submit(HttpContext ctx, ServerState s, GenerationRequest request, int n)
    {
        var handles = new List<SequenceHandle>();
        try
        {
            for (int j = 0; j < n; j++)
                handles.Add(s.Engine.Submit(request with { SampleIndex = j, Id = ctx.TraceIdentifier }));
            return [.. handles];
        }
        catch (Exception e) when (e is EngineBusyException or PonderException)
        {
            handles.ForEach(h => h.Cancel());
            if (e is PonderException)
                throw ApiException.BadRequest(e.Message, "prompt");
            ctx.Response.Headers.RetryAfter = s.Options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            throw new ApiException(429, e.Message, "rate_limit_exceeded", code: "rate_limit_exceeded");
        }
    }

    static JsonObject Response(ServerState s, CompletionRequest req, int[] prompt, bool open, SequenceResult[] results)
    {
        var tokenizer = s.Engine.Model.Tokenizer;
        var choices = new JsonArray();
        for (int j = 0; j < results.Length; j++)
        {
            var r = results[j];
            var ids =
                r.TokenIds.Count > 0 && s.Engine.StopTokenIds.Contains(r.TokenIds[^1])
                    ? r.TokenIds.SkipLast(1)
                    : r.TokenIds;
            var choice = new JsonObject
            {
                ["index"] = j,
                ["text"] = Cut(tokenizer.Decode(ids), open, RequestReader.Stop(req.Stop)),
                ["logprobs"] = req.Logprobs is null ? null : Logprobs(r, tokenizer, req.ReturnTokensAsTokenIds == true),
                ["finish_reason"] = r.Finish == FinishReason.Stop ? "stop" : "length",
            };
            if (req.ReturnTokenIds == true)
            {
                choice["prompt_token_ids"] = new JsonArray([.. prompt.Select(id => (JsonNode)id)]);
                choice["token_ids"] = new JsonArray([.. r.TokenIds.Select(id => (JsonNode)id)]);
            }
            choices.Add(choice);
        }
        int completion = results.Sum(r => r.CompletionTokens);
        return new JsonObject
        {
            ["id"] = "cmpl-" + Guid.NewGuid().ToString("N"),
            ["object"] = "text_completion",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["model"] = req.Model,
            ["choices"] = choices,
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = prompt.Length,
                ["completion_tokens"] = completion,
                ["total_tokens"] = prompt.Length + completion,
            },
        };
    }

    /// <summary>The text before the first stop string of the answer (the engine ended it there; stop strings do not
    /// apply inside the reasoning).</summary>
    static string Cut(string text, bool open, IReadOnlyList<string> stops)
    {
        int end = text.LastIndexOf(Text.ChatTemplate.ThinkEnd, StringComparison.Ordinal);
        if (stops.Count == 0 || (open && end < 0))
            return text;
        int from = Math.Max(0, end);
        int cut = stops
            .Select(stop => text.IndexOf(stop, from, StringComparison.Ordinal))
            .Where(i => i >= 0)
            .DefaultIfEmpty(text.Length)
            .Min();
        return text[..cut];
    }

    /// <summary>OpenAI's legacy logprobs object for every generated id (the stop token included, as vLLM).</summary>
    static JsonObject Logprobs(SequenceResult r, Text.TextTokenizer tokenizer, bool asIds) =>
        new()
        {
            ["tokens"] = new JsonArray([
                .. r.TokenIds.Select(id =>
                    (JsonNode)(asIds ? "token_id:" + id.ToString(CultureInfo.InvariantCulture) : tokenizer.Decode([id]))
                ),
            ]),
            ["token_logprobs"] = new JsonArray([.. r.Logprobs.Select(lp => (JsonNode)(double)lp)]),
            ["top_logprobs"] = null,
        };
}
