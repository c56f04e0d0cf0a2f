using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Ponder.Generation;
using Ponder.Rollouts.Monitoring;
using Ponder.Server;
using Ponder.Server.Summaries;

namespace Ponder.Tests.Serving;

public sealed class MonitorAndResponsesTests(ServedModel tiny) : IClassFixture<ServedModel>
{
    const string Ask =
        """{"model":"tiny","messages":[{"role":"user","content":"hi"}],"temperature":0,"max_completion_tokens":20,"reasoning_effort":"low"}""";

    static RuleCotMonitor MonitorFile(string action)
    {
        string path = Path.GetTempFileName();
        File.WriteAllText(
            path,
            $$"""{"rules": [{"pattern": "\n", "action": "{{action}}"}, {"pattern": "never-appears", "action": "block"}]}"""
        );
        try
        {
            return RuleCotMonitor.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Given_a_flag_rule_that_matches_Then_the_answer_is_returned_and_the_flag_logged_with_the_request()
    {
        await using var h = await ServerHarness.StartAsync(
            tiny.Serving,
            new ServerOptions { ModelId = "tiny", Monitor = MonitorFile("flag") }
        );
        var (status, json, _) = await h.PostAsync("v1/chat/completions", Ask);

        var body = JsonNode.Parse(json)!;
        Assert.Equal(200, status);
        Assert.NotEqual("content_filter", (string?)body["choices"]![0]!["finish_reason"]);
        string id = (string)body["id"]!;
        Assert.Contains(
            h.Logs.Lines,
            l => l.Contains(id, StringComparison.Ordinal) && l.Contains("Flag", StringComparison.Ordinal)
        );
    }

    [Fact]
    public async Task Given_a_block_rule_that_matches_Then_a_refusal_not_the_answer()
    {
        var options = new ServerOptions { ModelId = "tiny", Monitor = MonitorFile("block") };
        await using var h = await ServerHarness.StartAsync(tiny.Serving, options);
        var (_, json, _) = await h.PostAsync("v1/chat/completions", Ask);
        var (_, stream, _) = await h.PostAsync(
            "v1/chat/completions",
            Ask.Replace("\"low\"", "\"low\",\"stream\":true", StringComparison.Ordinal)
        );

        var choice = JsonNode.Parse(json)!["choices"]![0]!;
        Assert.Equal(options.Refusal, (string?)choice["message"]!["content"]);
        Assert.Equal("content_filter", (string?)choice["finish_reason"]);
        string streamed = string.Concat(
            stream
                .Split('\n')
                .Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
                .Select(l =>
                    (string?)JsonNode.Parse(l[6..])!["choices"]!.AsArray().FirstOrDefault()?["delta"]?["content"] ?? ""
                )
        );
        Assert.Equal(options.Refusal, streamed);
    }

    [Fact]
    public void Given_a_bad_monitor_file_Then_the_message_says_what_to_change()
    {
        string path = Path.GetTempFileName();
        File.WriteAllText(path, """{"rules": [{"pattern": "x", "action": "delete"}]}""");
        var e = Assert.Throws<PonderException>(() => RuleCotMonitor.Load(path));
        File.Delete(path);
        Assert.Contains("flag or block", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_summary_mode_Then_responses_returns_a_reasoning_summary_and_the_message()
    {
        await using var h = await ServerHarness.StartAsync(
            tiny.Serving,
            new ServerOptions { ModelId = "tiny", Reasoning = ReasoningMode.Summary }
        );
        string body =
            """{"model":"tiny","input":"hi","temperature":0,"max_output_tokens":20,"reasoning":{"effort":"low","summary":"auto"}}""";
        var expected = tiny.Expected(
            "hi",
            new SamplingOptions
            {
                Temperature = 0,
                MaxNewTokens = 20,
                MaxThinkingTokens = 8,
            }
        );

        var (status, json, _) = await h.PostAsync("v1/responses", body);
        var (_, stream, _) = await h.PostAsync(
            "v1/responses",
            body.Replace("\"hi\"", "\"hi\",\"stream\":true", StringComparison.Ordinal)
        );

        Assert.Equal(200, status);
        var r = JsonNode.Parse(json)!;
        Assert.Equal("reasoning", (string?)r["output"]![0]!["type"]);
        Assert.Equal("Reasoned for 9 tokens; made 1 attempt.", (string?)r["output"]![0]!["summary"]![0]!["text"]);
        Assert.Equal(expected.Answer, (string?)r["output"]![1]!["content"]![0]!["text"]);
        Assert.Equal(9, (int)r["usage"]!["output_tokens_details"]!["reasoning_tokens"]!);
        Assert.Contains("event: response.reasoning_summary_text.delta", stream, StringComparison.Ordinal);
        Assert.Contains("event: response.output_text.delta", stream, StringComparison.Ordinal);
        Assert.True(
            stream.IndexOf("reasoning_summary_text.delta", StringComparison.Ordinal)
                < stream.IndexOf("output_text.delta", StringComparison.Ordinal)
        );
        Assert.Contains(
            "event: response.",
            stream[stream.LastIndexOf("event:", StringComparison.Ordinal)..],
            StringComparison.Ordinal
        );
    }

    [Fact]
    public async Task Given_hidden_mode_Then_responses_gives_no_summary()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        var (_, json, _) = await h.PostAsync(
            "v1/responses",
            """{"model":"tiny","input":"hi","max_output_tokens":20,"reasoning":{"effort":"low","summary":"auto"}}"""
        );
        Assert.Empty(JsonNode.Parse(json)!["output"]![0]!["summary"]!.AsArray());
    }

    [Fact]
    public async Task Given_the_factual_summarizer_Then_it_counts_backtracks_and_never_quotes()
    {
        string s = await new FactualSummarizer().SummarizeAsync("try 1. Wait, no. Alternatively 2. Wait", 212, default);
        Assert.Equal("Reasoned for 212 tokens; made 4 attempts.", s);
    }

    [Theory]
    [InlineData(ReasoningMode.Hidden)]
    [InlineData(ReasoningMode.Raw)]
    public async Task Given_the_in_process_chat_client_Then_a_round_trip_reports_reasoning_tokens(ReasoningMode mode)
    {
        using var engine = new Ponder.Serving.InferenceEngine(tiny.Serving);
        using IChatClient client = new PonderChatClient(
            engine,
            new ServerOptions { ModelId = "tiny", Reasoning = mode }
        );
        var options = new ChatOptions
        {
            Temperature = 0,
            MaxOutputTokens = 24,
            Reasoning = new ReasoningOptions { Effort = Microsoft.Extensions.AI.ReasoningEffort.Low },
        };
        var expected = tiny.Expected(
            "hi",
            new SamplingOptions
            {
                Temperature = 0,
                MaxNewTokens = 24,
                MaxThinkingTokens = 8,
            }
        );

        var response = await client.GetResponseAsync(
            [new Microsoft.Extensions.AI.ChatMessage(ChatRole.User, "hi")],
            options
        );
        var updates = new List<ChatResponseUpdate>();
        await foreach (
            var u in client.GetStreamingResponseAsync(
                [new Microsoft.Extensions.AI.ChatMessage(ChatRole.User, "hi")],
                options
            )
        )
        {
            updates.Add(u);
        }

        Assert.Equal(expected.Answer, response.Text);
        Assert.Equal(9, response.Usage!.ReasoningTokenCount);
        Assert.Equal(expected.Answer, updates.ToChatResponse().Text);
        bool exposed = mode == ReasoningMode.Raw;
        Assert.Equal(exposed, response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Any());
        Assert.Equal(exposed, updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>().Any());
        Assert.Equal(
            9,
            updates.SelectMany(u => u.Contents).OfType<UsageContent>().Single().Details.ReasoningTokenCount
        );
    }
}
