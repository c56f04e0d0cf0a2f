#pragma warning disable OPENAI001 // ReasoningEffortLevel is experimental in the SDK
using System.ClientModel;
using System.Text;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;
using Ponder.Generation;
using Ponder.Server;

namespace Ponder.Tests.Serving;

/// <summary>The official OpenAI .NET SDK against a real Kestrel server (hidden reasoning).</summary>
public sealed class ChatCompletionsTests(ServedModel tiny) : IClassFixture<ServedModel>
{
    static ChatClient Client(ServerHarness h) =>
        new(
            "tiny",
            new ApiKeyCredential("unused"),
            new OpenAIClientOptions { Endpoint = h.V1, NetworkTimeout = TimeSpan.FromSeconds(60) }
        );

    static ChatCompletionOptions Options(
        ChatReasoningEffortLevel effort,
        int max = 40,
        long seed = 7,
        float temperature = 0
    ) =>
        new()
        {
            ReasoningEffortLevel = effort,
            MaxOutputTokenCount = max,
            Seed = seed,
            Temperature = temperature,
        };

    [Fact]
    public async Task Given_a_greedy_request_Then_the_answer_and_usage_match_the_static_generator()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        ChatCompletion c = await Client(h)
            .CompleteChatAsync([new UserChatMessage("What is 2+2?")], Options(ChatReasoningEffortLevel.Low));

        var expected = tiny.Expected(
            "What is 2+2?",
            new SamplingOptions
            {
                Temperature = 0,
                MaxNewTokens = 40,
                MaxThinkingTokens = 8,
                Seed = 7,
            }
        );
        Assert.Equal(expected.Answer, c.Content[0].Text);
        Assert.Equal(9, c.Usage.OutputTokenDetails.ReasoningTokenCount); // the budget of 8 + </think>
        Assert.Equal(expected.Completion.TokenIds.Count, c.Usage.OutputTokenCount);
        Assert.Equal(expected.Completion.PromptIds.Count, c.Usage.InputTokenCount);
        Assert.Equal(
            expected.Completion.Finish == FinishReason.Stop ? ChatFinishReason.Stop : ChatFinishReason.Length,
            c.FinishReason
        );
    }

    [Fact]
    public async Task Given_streaming_with_usage_Then_the_deltas_add_up_to_the_non_streaming_answer()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        var client = Client(h);
        var options = Options(ChatReasoningEffortLevel.Low, temperature: 0.9f, seed: 3);
        ChatCompletion whole = await client.CompleteChatAsync([new UserChatMessage("stream me")], options);

        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        await foreach (
            var u in client.CompleteChatStreamingAsync(
                [new UserChatMessage("stream me")],
                Options(ChatReasoningEffortLevel.Low, temperature: 0.9f, seed: 3)
            )
        )
        {
            foreach (var part in u.ContentUpdate)
                text.Append(part.Text);
            usage ??= u.Usage;
        }

        Assert.Equal(whole.Content[0].Text, text.ToString());
        Assert.NotNull(usage);
        Assert.Equal(whole.Usage.OutputTokenCount, usage.OutputTokenCount);
        Assert.Equal(9, usage.OutputTokenDetails.ReasoningTokenCount);
    }

    [Fact]
    public async Task Given_a_higher_reasoning_effort_Then_more_reasoning_tokens()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        var client = Client(h);
        int Reasoning(ChatCompletion c) => c.Usage.OutputTokenDetails.ReasoningTokenCount;

        var low = await client.CompleteChatAsync(
            [new UserChatMessage("think")],
            Options(ChatReasoningEffortLevel.Low, max: 60)
        );
        var medium = await client.CompleteChatAsync(
            [new UserChatMessage("think")],
            Options(ChatReasoningEffortLevel.Medium, max: 60)
        );
        var high = await client.CompleteChatAsync(
            [new UserChatMessage("think")],
            Options(ChatReasoningEffortLevel.High, max: 60)
        );
        var cut = await client.CompleteChatAsync(
            [new UserChatMessage("think")],
            Options(ChatReasoningEffortLevel.High, max: 20)
        );

        Assert.Equal([9, 17, 33], new[] { Reasoning(low.Value), Reasoning(medium.Value), Reasoning(high.Value) });
        Assert.Equal(ChatFinishReason.Length, cut.Value.FinishReason); // the limit ends before any answer
        Assert.Equal("", cut.Value.Content.Count == 0 ? "" : cut.Value.Content[0].Text);
        Assert.Equal(20, Reasoning(cut.Value));
    }

    [Fact]
    public async Task Given_16_concurrent_requests_Then_each_matches_its_sequential_output()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        var client = Client(h);
        Task<ClientResult<ChatCompletion>> Ask(int i) =>
            client.CompleteChatAsync(
                [new UserChatMessage($"question number {i}")],
                Options(ChatReasoningEffortLevel.Low, max: 24 + i, seed: i, temperature: 0.9f)
            );

        var sequential = new List<string>();
        for (int i = 0; i < 16; i++)
            sequential.Add((await Ask(i)).Value.Content[0].Text);
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 16).Select(Ask));

        Assert.Equal(sequential, concurrent.Select(c => c.Value.Content[0].Text));
    }

    [Fact]
    public async Task Given_hidden_mode_Then_no_field_of_any_response_carries_the_reasoning()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        var expected = tiny.Expected(
            "secret",
            new SamplingOptions
            {
                Temperature = 1,
                Seed = 11,
                MaxNewTokens = 30,
                MaxThinkingTokens = 16,
            }
        );
        Assert.True(expected.Reasoning.Length >= 8, "the reference reasoning is too short to search for");
        string body =
            """{"model":"tiny","messages":[{"role":"user","content":"secret"}],"temperature":1,"seed":11,"max_completion_tokens":30,"reasoning_effort":"medium"}""";

        var (status, json, _) = await h.PostAsync("v1/chat/completions", body);
        var (_, stream, _) = await h.PostAsync(
            "v1/chat/completions",
            body.Replace(
                "}]",
                "}],\"stream\":true,\"stream_options\":{\"include_usage\":true}",
                StringComparison.Ordinal
            )
        );

        Assert.Equal(200, status);
        Assert.DoesNotContain("reasoning_content", json, StringComparison.Ordinal);
        Assert.DoesNotContain("reasoning_content", stream, StringComparison.Ordinal);
        var strings = Strings(JsonNode.Parse(json)!)
            .Concat(
                stream
                    .Split('\n')
                    .Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
                    .SelectMany(l => Strings(JsonNode.Parse(l[6..])!))
            )
            .ToList();
        string middle = expected.Reasoning[2..^2];
        Assert.DoesNotContain(strings, s => s.Contains(middle, StringComparison.Ordinal));
        Assert.Contains(strings, s => s == expected.Answer || expected.Answer.Length == 0);
    }

    [Fact]
    public async Task Given_raw_mode_Then_reasoning_content_is_in_the_message_and_the_deltas()
    {
        await using var h = await ServerHarness.StartAsync(
            tiny.Serving,
            new ServerOptions { ModelId = "tiny", Reasoning = ReasoningMode.Raw }
        );
        var expected = tiny.Expected(
            "show me",
            new SamplingOptions
            {
                Temperature = 0,
                MaxNewTokens = 30,
                MaxThinkingTokens = 16,
            }
        );
        string body =
            """{"model":"tiny","messages":[{"role":"user","content":"show me"}],"temperature":0,"max_completion_tokens":30,"reasoning_effort":"medium"}""";

        var (_, json, _) = await h.PostAsync("v1/chat/completions", body);
        var (_, stream, _) = await h.PostAsync(
            "v1/chat/completions",
            body.Replace("}]", "}],\"stream\":true", StringComparison.Ordinal)
        );

        var message = JsonNode.Parse(json)!["choices"]![0]!["message"]!;
        Assert.Equal(expected.Reasoning, (string?)message["reasoning_content"]);
        Assert.Equal(expected.Answer, (string?)message["content"]);
        string streamed = string.Concat(
            stream
                .Split('\n')
                .Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
                .Select(l =>
                    (string?)
                        JsonNode.Parse(l[6..])!["choices"]!.AsArray().FirstOrDefault()?["delta"]?["reasoning_content"]
                    ?? ""
                )
        );
        Assert.StartsWith(expected.Reasoning, streamed, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", stream, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_n_3_with_a_seed_Then_three_choices_whose_usage_adds_up()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        string body =
            """{"model":"tiny","messages":[{"role":"developer","content":"be brief"},{"role":"user","content":"three"}],"n":3,"seed":5,"max_completion_tokens":16,"reasoning_effort":"low"}""";

        var r = JsonNode.Parse((await h.PostAsync("v1/chat/completions", body)).Body)!;

        var choices = r["choices"]!.AsArray();
        Assert.Equal([0, 1, 2], choices.Select(c => (int)c!["index"]!));
        Assert.Equal(3 * 16, (int)r["usage"]!["completion_tokens"]!); // seeded random weights: no stop token within 16
        Assert.Equal(3 * 9, (int)r["usage"]!["completion_tokens_details"]!["reasoning_tokens"]!);
        Assert.Equal("chat.completion", (string?)r["object"]);
    }

    internal static IEnumerable<string> Strings(JsonNode node) =>
        node switch
        {
            JsonObject o => o.SelectMany(kv => kv.Value is null ? [] : Strings(kv.Value)),
            JsonArray a => a.SelectMany(x => x is null ? [] : Strings(x)),
            JsonValue v when v.TryGetValue<string>(out var s) => [s],
            _ => [],
        };
}
