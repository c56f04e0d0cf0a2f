using System.Text.Json.Nodes;
using Ponder.Generation;
using Ponder.Server;
using Ponder.TestTime;
using Ponder.Text;

namespace Ponder.Tests.Serving;

/// <summary>Test-time strategies in the server: N samples, one answer chosen, usage counting every sample.</summary>
public sealed class StrategyTests(ServedModel tiny) : IClassFixture<ServedModel>
{
    const string User = "What is 2+2?";

    static string Body(string extra) =>
        "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\""
        + User
        + "\"}],"
        + "\"max_completion_tokens\":12,\"seed\":3"
        + extra
        + "}";

    /// <summary>The N samples the server draws (same seed, same per-sample streams as the generator).</summary>
    (string Answer, Completion Completion)[] Samples(int n)
    {
        var options = new SamplingOptions
        {
            N = n,
            Seed = 3,
            MaxNewTokens = 12,
        };
        return
        [
            .. Enumerable
                .Range(0, n)
                .Select(j =>
                {
                    var prompt = tiny.Reference.Chat!.Render([new(ChatRole.User, User)]).Ids;
                    var c = tiny.Reference.CreateGenerator().Generate([prompt], options)[j];
                    return (ChatTemplate.SplitReasoning(c.Text).Answer, c);
                }),
        ];
    }

    [Fact]
    public async Task Given_majority_of_4_When_asked_Then_one_choice_answers_and_usage_counts_all_4()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        var samples = Samples(4);
        int expected = ServedStrategy.Parse("majority:4", "t").Choose([.. samples.Select(s => s.Answer)], null);

        var (status, json, _) = await h.PostAsync(
            "v1/chat/completions",
            Body(",\"test_time_strategy\":\"majority:4\"")
        );

        Assert.Equal(200, status);
        var body = JsonNode.Parse(json)!;
        var choice = Assert.Single(body["choices"]!.AsArray())!;
        Assert.Equal(expected, (int)body["test_time_strategy"]!["chosen"]!);
        Assert.Equal(4, (int)body["test_time_strategy"]!["samples"]!);
        Assert.Equal(samples[expected].Answer, (string?)choice["message"]!["content"]);
        Assert.Null(choice["message"]!["reasoning_content"]); // hidden mode shows no reasoning
        Assert.Equal(samples.Sum(s => s.Completion.TokenIds.Count), (int)body["usage"]!["completion_tokens"]!);
    }

    [Fact]
    public void Given_answers_When_voted_Then_white_space_does_not_split_a_vote_and_scores_pick_best_of_n()
    {
        var majority = ServedStrategy.Parse("majority:4", "t");
        Assert.Equal("best-of-n:4", ServedStrategy.Parse("best-of-n:4", "t").ToString()); // the name Parse reads
        Assert.Equal(1, majority.Choose(["x", "4", " 4 ", "5"], null)); // "4" twice (first seen wins the tie rule)
        Assert.Equal(0, majority.Choose([null, "", null, " "], null)); // no answer: the first
        Assert.Equal(3, ServedStrategy.Parse("best-of-n:4", "t").Choose(["4", "4", "5", "6"], [0.2, 0.2, 0.3, 0.9]));
        // weighted: "4" sums 0.4, "6" 0.9
        Assert.Equal(3, ServedStrategy.Parse("weighted:4", "t").Choose(["4", "4", "5", "6"], [0.2, 0.2, 0.3, 0.9]));
    }

    [Fact]
    public async Task Given_an_effort_strategy_When_high_effort_streams_Then_one_delta_carries_the_chosen_answer()
    {
        var options = new ServerOptions
        {
            ModelId = "tiny",
            EffortStrategies = new Dictionary<string, ServedStrategy> { ["high"] = new(Strategy.BestOfN, 3) },
            Scorer = (prompt, completions) => [.. completions.Select((_, i) => i == 1 ? 0.9 : 0.1)],
        };
        await using var h = await ServerHarness.StartAsync(tiny.Serving, options);
        var samples = Samples(3);

        var (status, sse, _) = await h.PostAsync(
            "v1/chat/completions",
            Body(",\"reasoning_effort\":\"high\",\"stream\":true,\"stream_options\":{\"include_usage\":true}")
        );

        Assert.Equal(200, status);
        var chunks = sse.Split('\n')
            .Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
            .Select(l => JsonNode.Parse(l[6..])!)
            .ToArray();
        Assert.Equal(1, (int)chunks[0]["test_time_strategy"]!["chosen"]!); // the scorer's best
        string content = string.Concat(
            chunks.SelectMany(c => c["choices"]!.AsArray()).Select(c => (string?)c!["delta"]!["content"])
        );
        Assert.Equal(samples[1].Answer, content);
        Assert.Equal(samples.Sum(s => s.Completion.TokenIds.Count), (int)chunks[^1]["usage"]!["completion_tokens"]!);
    }

    [Fact]
    public async Task Given_a_medium_effort_strategy_When_a_request_names_no_effort_Then_it_applies()
    {
        var options = new ServerOptions
        {
            ModelId = "tiny",
            EffortStrategies = new Dictionary<string, ServedStrategy> { ["medium"] = new(Strategy.Majority, 2) },
        };
        await using var h = await ServerHarness.StartAsync(tiny.Serving, options);

        var (status, json, _) = await h.PostAsync("v1/chat/completions", Body("")); // medium is the default effort

        Assert.Equal(200, status);
        Assert.Equal("majority", (string?)JsonNode.Parse(json)!["test_time_strategy"]!["name"]);
    }

    [Theory]
    [InlineData(",\"test_time_strategy\":\"weighted:4\"", "test_time_strategy")] // no scorer loaded
    [InlineData(",\"test_time_strategy\":\"beam:4\"", "test_time_strategy")] // searches run in ponder scale
    [InlineData(",\"test_time_strategy\":\"majority\"", "test_time_strategy")] // no N
    [InlineData(",\"test_time_strategy\":\"majority:99\"", "test_time_strategy")] // above --max-choices
    [InlineData(",\"test_time_strategy\":\"majority:2\",\"n\":2", "n")]
    [InlineData(",\"test_time_strategy\":\"majority:2\",\"logprobs\":true", "logprobs")]
    public async Task Given_a_strategy_that_cannot_be_served_When_asked_Then_400_names_the_field(
        string extra,
        string param
    )
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);

        var (status, json, _) = await h.PostAsync("v1/chat/completions", Body(extra));

        Assert.Equal(400, status);
        Assert.Equal(param, (string?)JsonNode.Parse(json)!["error"]!["param"]);
    }
}
