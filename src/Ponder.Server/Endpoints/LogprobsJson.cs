using System.Text;
using System.Text.Json.Nodes;
using Ponder.Generation;
using Ponder.Text;

namespace Ponder.Server.Endpoints;

/// <summary>OpenAI's <c>choices[i].logprobs</c>: <c>{"content": [{"token", "logprob", "bytes", "top_logprobs":
/// [{"token", "logprob", "bytes"}, …]}, …], "refusal": null}</c>. <c>bytes</c> are the token's own UTF-8 bytes (a
/// token may hold part of a character; its <c>token</c> text then shows U+FFFD where the bytes are cut).</summary>
static class LogprobsJson
{
    /// <summary>What OpenAI writes for a log-probability JSON cannot hold (−∞).</summary>
    const double Floor = -9999.0;

    public static JsonObject Of(IEnumerable<ModelLogprobs> tokens, TextTokenizer tokenizer)
    {
        var content = new JsonArray();
        foreach (var t in tokens)
        {
            var entry = Candidate(t.Token, tokenizer);
            entry["top_logprobs"] = new JsonArray([.. t.Top.Select(c => (JsonNode)Candidate(c, tokenizer))]);
            content.Add(entry);
        }
        return new JsonObject { ["content"] = content, ["refusal"] = null };
    }

    static JsonObject Candidate(Candidate c, TextTokenizer tokenizer)
    {
        byte[] bytes = tokenizer.BytesOf(c.Id);
        return new JsonObject
        {
            ["token"] = Encoding.UTF8.GetString(bytes),
            ["logprob"] = float.IsNegativeInfinity(c.Logprob) ? Floor : (double)c.Logprob,
            ["bytes"] = new JsonArray([.. bytes.Select(b => (JsonNode)(int)b)]),
        };
    }
}
