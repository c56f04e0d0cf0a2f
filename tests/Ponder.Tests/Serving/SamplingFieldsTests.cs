using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Ponder.Server;

namespace Ponder.Tests.Serving;

/// <summary>OpenAI's standard sampling fields over HTTP: penalties, logit_bias, response_format, and seed on
/// /v1/responses; the in-process client maps the same options.</summary>
public sealed class SamplingFieldsTests(ServedModel tiny) : IClassFixture<ServedModel>
{
    /// <summary>A greedy chat request answering directly (no reasoning), with <paramref name="extra"/>
    /// fields.</summary>
    static string Greedy(string extra, int max = 40) =>
        $$"""{"model":"tiny","messages":[{"role":"user","content":"go on"}],"temperature":0,"max_completion_tokens":{{max}},"reasoning_effort":"none"{{extra}}}""";

    static async Task<string> Answer(ServerHarness h, string body)
    {
        var (status, json, _) = await h.PostAsync("v1/chat/completions", body);
        Assert.True(status == 200, json);
        return (string)JsonNode.Parse(json)!["choices"]![0]!["message"]!["content"]!;
    }

    [Fact]
    public async Task Given_a_large_logit_bias_on_one_token_Then_the_greedy_answer_is_only_that_token()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        int a = tiny.Reference.Tokenizer.Encode("a").Single();

        string plain = await Answer(h, Greedy(""));
        string biased = await Answer(h, Greedy($$""","logit_bias":{"{{a}}":100}"""));

        Assert.DoesNotMatch("^a+$", plain); // the premise: the model does not say it unbiased
        Assert.Matches("^a+$", biased);
    }

    [Fact]
    public async Task Given_a_presence_penalty_Then_a_repetitive_greedy_answer_changes_and_repeats_less()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);

        string plain = await Answer(h, Greedy(""));
        string penalized = await Answer(h, Greedy(""","presence_penalty":2"""));

        // The premise: unpenalized, the tiny model repeats a few characters.
        Assert.True(plain.Distinct().Count() * 4 <= plain.Length, $"not repetitive: \"{plain}\"");
        Assert.NotEqual(plain, penalized);
        Assert.True(penalized.Distinct().Count() > plain.Distinct().Count(), $"\"{plain}\" → \"{penalized}\"");
    }

    [Fact]
    public async Task Given_penalties_and_a_bias_Then_streaming_gives_the_non_streaming_answer()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        int e = tiny.Reference.Tokenizer.Encode("e").Single();
        string body =
            $$$"""{"model":"tiny","messages":[{"role":"user","content":"mix"}],"temperature":0.9,"seed":3,"max_completion_tokens":40,"reasoning_effort":"low","frequency_penalty":0.7,"presence_penalty":-0.5,"logit_bias":{"{{{e}}}":3}}""";

        string whole = await Answer(h, body);
        var (_, stream, _) = await h.PostAsync(
            "v1/chat/completions",
            body.Replace("\"mix\"}]", "\"mix\"}],\"stream\":true", StringComparison.Ordinal)
        );

        string streamed = string.Concat(
            stream
                .Split('\n')
                .Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
                .Select(l =>
                    (string?)JsonNode.Parse(l[6..])!["choices"]!.AsArray().FirstOrDefault()?["delta"]?["content"] ?? ""
                )
        );
        Assert.Equal(whole, streamed);
    }

    [Fact]
    public async Task Given_vllm_top_k_1_or_min_p_1_Then_a_hot_sampled_answer_is_the_greedy_one()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        string Hot(string extra) =>
            Greedy(extra).Replace("\"temperature\":0", "\"temperature\":2,\"seed\":5", StringComparison.Ordinal);

        string greedy = await Answer(h, Greedy(""));
        string hot = await Answer(h, Hot(""));
        string topK = await Answer(h, Hot(",\"top_k\":1"));
        string minP = await Answer(h, Hot(",\"min_p\":1"));

        Assert.NotEqual(greedy, hot); // the premise: at temperature 2 the answer is not the greedy one
        Assert.Equal(greedy, topK);
        Assert.Equal(greedy, minP);
    }

    [Theory]
    [InlineData("\"logit_bias\":{\"abc\":1}", "abc")]
    [InlineData("\"logit_bias\":{\"-1\":1}", "-1")]
    [InlineData("\"logit_bias\":{\"100000\":1}", "100000")]
    [InlineData("\"logit_bias\":{\"5\":101}", "\"5\"")]
    [InlineData("\"logit_bias\":{\"5\":\"x\"}", "'logit_bias.5' must be a number")]
    [InlineData("\"frequency_penalty\":2.5", "'frequency_penalty'")]
    [InlineData("\"presence_penalty\":-3", "'presence_penalty'")]
    [InlineData("\"top_k\":-2", "'top_k'")]
    [InlineData("\"min_p\":1.5", "'min_p'")]
    [InlineData("\"response_format\":\"text\"", "'response_format' must be an object")]
    public async Task Given_an_invalid_sampling_field_Then_400_naming_it(string field, string named)
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        var (status, json, _) = await h.PostAsync("v1/chat/completions", Greedy("," + field, max: 4));
        Assert.True(status == 400, json);
        Assert.Contains(named, (string)JsonNode.Parse(json)!["error"]!["message"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v1/chat/completions", "\"response_format\":{\"type\":\"text\"}", null)]
    [InlineData("v1/chat/completions", "\"response_format\":{\"type\":\"json_object\"}", "json_object")]
    [InlineData(
        "v1/chat/completions",
        "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"a\",\"schema\":{}}}",
        "json_schema"
    )]
    [InlineData("v1/responses", "\"text\":{\"format\":{\"type\":\"text\"}}", null)]
    [InlineData("v1/responses", "\"text\":{\"format\":{\"type\":\"json_object\"}}", "json_object")]
    [InlineData(
        "v1/responses",
        "\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"a\",\"schema\":{},\"strict\":true}}",
        "json_schema"
    )]
    public async Task Given_a_response_format_Then_text_is_served_and_json_is_refused_naming_it(
        string path,
        string field,
        string? refused
    )
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        string body = path.Contains("chat", StringComparison.Ordinal)
            ? Greedy("," + field, max: 4)
            : """{"model":"tiny","input":"hi","max_output_tokens":4,""" + field + "}";

        var (status, json, _) = await h.PostAsync(path, body);

        if (refused is null)
        {
            Assert.True(status == 200, json);
            return;
        }
        Assert.Equal(400, status);
        string message = (string)JsonNode.Parse(json)!["error"]!["message"]!;
        Assert.Contains(refused, message, StringComparison.Ordinal);
        Assert.Contains("only \"text\"", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_seed_on_responses_Then_it_samples_the_tokens_chat_completions_gives_for_that_seed()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        const string Responses =
            """{"model":"tiny","input":"hi","temperature":1,"seed":11,"max_output_tokens":30,"reasoning":{"effort":"low"}}""";
        const string Chat =
            """{"model":"tiny","messages":[{"role":"user","content":"hi"}],"temperature":1,"seed":11,"max_completion_tokens":30,"reasoning_effort":"low"}""";
        static string Text(string json) => (string)JsonNode.Parse(json)!["output"]![1]!["content"]![0]!["text"]!;

        var first = await h.PostAsync("v1/responses", Responses);
        var second = await h.PostAsync("v1/responses", Responses);
        var other = await h.PostAsync("v1/responses", Responses.Replace("11", "12", StringComparison.Ordinal));

        Assert.True(first.Status == 200, first.Body);
        Assert.Equal(Text(first.Body), Text(second.Body));
        Assert.Equal(await Answer(h, Chat), Text(first.Body));
        Assert.NotEqual(Text(first.Body), Text(other.Body)); // the seed is used, not ignored
    }

    [Fact]
    public async Task Given_the_in_process_client_Then_penalties_and_seed_map_to_what_http_gives()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        using IChatClient client = new PonderChatClient(h.Engine, new ServerOptions { ModelId = "tiny" });
        var options = new ChatOptions
        {
            Temperature = 0.8f,
            Seed = 21,
            FrequencyPenalty = 0.5f,
            PresencePenalty = 1.5f,
            MaxOutputTokens = 40,
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low },
        };
        string http = await Answer(
            h,
            """{"model":"tiny","messages":[{"role":"user","content":"go on"}],"temperature":0.8,"seed":21,"frequency_penalty":0.5,"presence_penalty":1.5,"max_completion_tokens":40,"reasoning_effort":"low"}"""
        );

        var response = await client.GetResponseAsync([new(ChatRole.User, "go on")], options);
        var streamed = new StringBuilder();
        await foreach (var u in client.GetStreamingResponseAsync([new(ChatRole.User, "go on")], options))
            streamed.Append(u.Text);
        var unpenalized = await client.GetResponseAsync(
            [new(ChatRole.User, "go on")],
            new ChatOptions
            {
                Temperature = 0.8f,
                Seed = 21,
                MaxOutputTokens = 40,
                Reasoning = options.Reasoning,
            }
        );

        Assert.Equal(http, response.Text);
        Assert.Equal(http, streamed.ToString());
        Assert.NotEqual(http, unpenalized.Text);
    }
}
