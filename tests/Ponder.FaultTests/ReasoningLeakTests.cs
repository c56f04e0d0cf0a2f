using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Server;
using Ponder.Serving;
using Ponder.Text;
using Ponder.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Ponder.FaultTests;

/// <summary>
/// Hidden reasoning never reaches the answer, however the model behaves. The model here is fine-tuned to leak: its
/// reasoning is a run of "R"s, and when a thinking budget closes its reasoning for it (<c>&lt;/think&gt;</c> and the
/// newline it did not choose) it goes on writing "R"s, writes its own <c>\n&lt;/think&gt;\n</c> and only then answers
/// "A" — what models cut off mid-thought do. Every budget and every <c>reasoning_effort</c> is tried; an answer with
/// an "R" or a think marker in it is a leak.
/// </summary>
[Trait("Category", "Slow")]
[Trait("Category", "Fault")]
public sealed class ReasoningLeakTests(ITestOutputHelper output) : IDisposable
{
    const int Samples = 6;
    readonly string root = Path.Combine(Path.GetTempPath(), "ponder-leak-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException) { }
    }

    [Fact]
    public async Task Given_a_model_trained_to_reason_on_after_a_budget_cut_Then_no_answer_shows_reasoning()
    {
        using var lm = LeakyModel();
        using var engine = new InferenceEngine(lm, new EngineOptions { MaxConcurrency = 16 });
        var prompt = lm.Chat!.Render([new ChatMessage(ChatRole.User, "q")]).Ids;

        // The model does reason on after a cut: its raw completions carry "R"s after the budget's </think>.
        int reasonsOn = ReasonsOnAfterTheCut(lm, prompt);

        // Every budget, greedy and sampled, through the engine; then every effort over HTTP, whole and streamed.
        var answers = new List<Reply>();
        for (int budget = 0; budget <= 14; budget++)
        {
            var handles = Enumerable
                .Range(0, Samples)
                .Select(i =>
                    engine.Submit(
                        new GenerationRequest
                        {
                            PromptIds = prompt,
                            Temperature = i == 0 ? 0 : 1,
                            Seed = 100 * budget + i,
                            MaxNewTokens = 48,
                            MaxThinkingTokens = budget,
                        }
                    )
                )
                .ToList();
            foreach (var h in handles)
                answers.Add(await Answer($"budget {budget}", h));
        }
        answers.AddRange(await OverHttp(engine));

        var leaks = answers.Where(a => a.Leaks).ToList();
        int answered = answers.Count(a => a.Answer == "A");
        int unmarked = answers.Count(a => a.Unmarked);
        output.WriteLine(
            $"fault-suite leak: {answers.Count} answers over budgets 0-14 and every reasoning_effort, {leaks.Count} "
                + $"leaks, {answered} exactly \"A\", {unmarked} cut by the token limit before the model marked its "
                + $"text; without the guard {reasonsOn} of {15 * Samples} completions reason on after the cut"
        );
        Assert.True(reasonsOn >= 15 * Samples / 3, $"the model reasons on after only {reasonsOn} cuts");
        Assert.True(leaks.Count == 0, string.Join("\n", leaks.Take(10).Select(l => $"{l.Where}: \"{l.Answer}\"")));
        // The guard hides reasoning, not answers: most answers still arrive whole.
        Assert.True(answered >= answers.Count / 2, $"only {answered} of {answers.Count} answers are \"A\"");
    }

    /// <summary>One answer and how its sequence ended.</summary>
    sealed record Reply(string Where, string Answer, bool EndedByLength)
    {
        /// <summary>A think marker, or reasoning ("R") in an answer the model ended itself: it closes its reasoning
        /// before it answers, so that reasoning was marked as such.</summary>
        public bool Leaks =>
            Answer.Contains("think>", StringComparison.Ordinal)
            || (!EndedByLength && Answer.Contains('R', StringComparison.Ordinal));

        /// <summary>Reasoning-like text the token limit cut before the model either closed its reasoning or ended its
        /// turn: nothing marked it as reasoning, so it is the answer (as after a budget cut without the
        /// guard).</summary>
        public bool Unmarked => EndedByLength && Answer.Contains('R', StringComparison.Ordinal);
    }

    static async Task<Reply> Answer(string where, SequenceHandle h)
    {
        var streamed = new StringBuilder();
        await foreach (var d in h.Deltas.ReadAllAsync())
        {
            if (!d.IsReasoning)
                streamed.Append(d.Text);
        }
        var result = await h.Result;
        Assert.Equal(result.Answer, streamed.ToString());
        return new Reply(where, result.Answer, result.Finish == FinishReason.Length);
    }

    /// <summary>Completions of the static generator (which does not hold text back) whose text after the first
    /// <c>&lt;/think&gt;</c> has an "R".</summary>
    static int ReasonsOnAfterTheCut(LanguageModel lm, IReadOnlyList<int> prompt)
    {
        int count = 0;
        for (int budget = 0; budget <= 14; budget++)
        {
            var completions = lm.CreateGenerator()
                .Generate(
                    [prompt],
                    new SamplingOptions
                    {
                        N = Samples,
                        Temperature = 1,
                        Seed = budget,
                        MaxNewTokens = 48,
                        MaxThinkingTokens = budget,
                    }
                );
            foreach (var c in completions)
            {
                int close = c.Text.IndexOf(ChatTemplate.ThinkEnd, StringComparison.Ordinal);
                count += close >= 0 && c.Text[close..].Contains('R', StringComparison.Ordinal) ? 1 : 0;
            }
        }
        return count;
    }

    /// <summary>Every <c>reasoning_effort</c> (and none given) in hidden mode, whole and streamed.</summary>
    static async Task<List<Reply>> OverHttp(InferenceEngine engine)
    {
        await using var server = PonderServer.Create(engine, new ServerOptions { ModelId = "leaky" }, "127.0.0.1", 0);
        await server.StartAsync();
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(120) };
        var answers = new List<Reply>();
        string?[] efforts = [null, "none", "minimal", "low", "medium", "high", "xhigh"];
        foreach (var effort in efforts)
        {
            foreach (bool stream in new[] { false, true })
            {
                string body = new JsonObject
                {
                    ["model"] = "leaky",
                    ["messages"] = new JsonArray
                    {
                        new JsonObject { ["role"] = "user", ["content"] = "q" },
                    },
                    ["reasoning_effort"] = effort,
                    ["n"] = Samples,
                    ["seed"] = 7,
                    ["max_completion_tokens"] = 48,
                    ["stream"] = stream,
                }.ToJsonString();
                using var content = new StringContent(body, Encoding.UTF8);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await http.PostAsync("v1/chat/completions", content);
                string text = await response.Content.ReadAsStringAsync();
                Assert.True(response.IsSuccessStatusCode, text);
                string where = $"effort {effort ?? "(none given)"}{(stream ? " streamed" : "")}";
                answers.AddRange(
                    (stream ? Streamed(text) : Whole(text)).Select(a => new Reply(
                        where,
                        a.Answer,
                        a.Finish == "length"
                    ))
                );
            }
        }
        return answers;
    }

    static IEnumerable<(string Answer, string Finish)> Whole(string json)
    {
        var response = JsonNode.Parse(json)!;
        Assert.Null(response["choices"]![0]!["message"]!["reasoning_content"]);
        return response["choices"]!
            .AsArray()
            .Select(c => ((string)c!["message"]!["content"]!, (string)c["finish_reason"]!));
    }

    static IEnumerable<(string Answer, string Finish)> Streamed(string sse)
    {
        var text = new SortedDictionary<int, StringBuilder>();
        var finish = new Dictionary<int, string>();
        foreach (var line in sse.Split('\n'))
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal))
                continue;
            foreach (var choice in JsonNode.Parse(line["data: ".Length..])!["choices"]!.AsArray())
            {
                int index = (int)choice!["index"]!;
                Assert.Null(choice["delta"]?["reasoning_content"]);
                if (!text.TryGetValue(index, out var answer))
                    text[index] = answer = new StringBuilder();
                answer.Append((string?)choice["delta"]?["content"]);
                if ((string?)choice["finish_reason"] is { } reason)
                    finish[index] = reason;
            }
        }
        Assert.Equal(Samples, text.Count);
        return text.Select(t => (t.Value.ToString(), finish[t.Key]));
    }

    /// <summary>A tiny model fine-tuned on two kinds of completions, half each: its own reasoning,
    /// <c>R…R\n&lt;/think&gt;\nA</c>, and a cut one, <c>R…R&lt;/think&gt;\nR…R\n&lt;/think&gt;\nA</c> where the first
    /// <c>&lt;/think&gt;\n</c> is the budget's (not a target, so the model never learns to close that way itself).
    /// Its generation config gives the efforts budgets a completion can run into (low 2, medium 5) or not (high
    /// 30).</summary>
    LanguageModel LeakyModel()
    {
        string dir = Path.Combine(root, "leaky");
        using (var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 17))
        {
            Train(lm);
            lm.Save(dir);
        }
        string config = Path.Combine(dir, "generation_config.json");
        var json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        json["thinking_budgets"] = new JsonObject
        {
            ["low"] = 2,
            ["medium"] = 5,
            ["high"] = 30,
        };
        File.WriteAllText(config, json.ToJsonString());
        return LanguageModel.Load(dir);
    }

    static void Train(LanguageModel lm)
    {
        var tokenizer = lm.Tokenizer;
        var chat = lm.Chat!;
        int imEnd = tokenizer.TokenToId("<|im_end|>")!.Value;
        int[] prompt = [.. chat.Render([new ChatMessage(ChatRole.User, "q")]).Ids];
        int r = tokenizer.Encode("R").Single(),
            nl = tokenizer.Encode("\n").Single(),
            a = tokenizer.Encode("A").Single();
        var rng = new Random(5);
        (int[] Ids, bool[] Trainable) Example()
        {
            var ids = new List<int>(prompt);
            var trainable = new List<bool>(prompt.Select(_ => false));
            void Add(bool target, params int[] tokens)
            {
                ids.AddRange(tokens);
                trainable.AddRange(tokens.Select(_ => target));
            }
            if (rng.Next(2) == 1)
            {
                Add(true, [.. Enumerable.Repeat(r, rng.Next(0, 11))]);
                Add(false, chat.ThinkEndId, nl); // the budget's close
            }
            Add(true, [.. Enumerable.Repeat(r, rng.Next(1, 9)), nl, chat.ThinkEndId, nl, a, imEnd]);
            return ([.. ids], [.. trainable]);
        }

        using var optimizer = new AdamW(lm.Network.named_parameters(), weightDecay: 0);
        lm.Network.train();
        for (int step = 0; step < 300; step++)
        {
            using var scope = NewDisposeScope();
            var batch = Enumerable.Range(0, 32).Select(_ => Example()).ToList();
            var (ids, _, lossMask) = SftBatch.Collate(batch, padId: 0, lm.Network.Device);
            var logprobs = TokenLogprobs.Compute(lm.Network, ids, attentionMask: null);
            long targets = batch.Sum(e => (long)SftBatch.TargetCount(e.Trainable));
            SftLoss.MaskedNll(logprobs, lossMask, targets).backward();
            optimizer.Update(step < 20 ? 3e-3 * (step + 1) / 20 : 3e-3);
            optimizer.ZeroGrad();
        }
        lm.Network.eval();
    }
}
