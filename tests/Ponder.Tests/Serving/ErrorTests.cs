using System.Text.Json.Nodes;
using Ponder.LanguageModels;
using Ponder.Server;
using Ponder.Serving;
using Ponder.Text;

namespace Ponder.Tests.Serving;

/// <summary>Every refusal has the right status and OpenAI's error shape.</summary>
public sealed class ErrorTests(ServedModel tiny) : IClassFixture<ServedModel>
{
    const string Ok = """{"model":"tiny","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":4}""";

    static void AssertError(int expectedStatus, int status, string body, string? param = null)
    {
        Assert.Equal(expectedStatus, status);
        var error = JsonNode.Parse(body)!["error"]!.AsObject();
        Assert.False(string.IsNullOrEmpty((string?)error["message"]));
        Assert.False(string.IsNullOrEmpty((string?)error["type"]));
        Assert.True(error.ContainsKey("param") && error.ContainsKey("code"));
        if (param is not null)
            Assert.Equal(param, (string?)error["param"]);
    }

    [Theory]
    [InlineData("{\"model\":\"tiny\",\"messages\":[", null)] // malformed JSON
    // unknown field
    [InlineData("{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"frobnicate\":1}", null)]
    [InlineData(
        "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"reasoning_content\":\"x\"}]}",
        null
    )] // DeepSeek: a 400
    [InlineData(
        "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":\"hot\"}",
        "temperature"
    )] // ill-typed
    [InlineData("{\"model\":\"tiny\",\"messages\":[]}", "messages")] // empty messages
    [InlineData("{\"model\":\"tiny\",\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}", "messages[0].role")]
    [InlineData(
        "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_completion_tokens\":100000}",
        "max_completion_tokens"
    )]
    [InlineData(
        "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":3}",
        "temperature"
    )]
    [InlineData(
        "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"reasoning_effort\":\"extreme\"}",
        "reasoning_effort"
    )]
    [InlineData("{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":99}", "n")]
    public async Task Given_a_bad_body_Then_400_with_the_error_shape(string body, string? param)
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        var (status, json, _) = await h.PostAsync("v1/chat/completions", body);
        AssertError(400, status, json, param);
    }

    [Fact]
    public async Task Given_a_prompt_longer_than_the_context_Then_400_context_length_exceeded()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        string body = Ok.Replace("\"hi\"", "\"" + new string('z', 2000) + "\"", StringComparison.Ordinal);
        var (status, json, _) = await h.PostAsync("v1/chat/completions", body);
        AssertError(400, status, json);
        Assert.Equal("context_length_exceeded", (string?)JsonNode.Parse(json)!["error"]!["code"]);
    }

    [Fact]
    public async Task Given_an_unknown_model_Then_404()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        var (status, json, _) = await h.PostAsync(
            "v1/chat/completions",
            Ok.Replace("\"tiny\"", "\"gpt-9\"", StringComparison.Ordinal)
        );
        AssertError(404, status, json, "model");
    }

    [Fact]
    public async Task Given_an_api_key_Then_a_missing_or_wrong_key_is_401_and_the_right_one_passes()
    {
        await using var h = await ServerHarness.StartAsync(
            tiny.Serving,
            new ServerOptions { ModelId = "tiny", ApiKey = "sesame" }
        );
        var missing = await h.PostAsync("v1/chat/completions", Ok);
        var wrong = await h.PostAsync("v1/chat/completions", Ok, key: "open");
        var right = await h.PostAsync("v1/chat/completions", Ok, key: "sesame");
        AssertError(401, missing.Status, missing.Body);
        AssertError(401, wrong.Status, wrong.Body);
        Assert.Equal(200, right.Status);
        Assert.Equal(200, (int)(await h.Http.GetAsync("health")).StatusCode); // health needs no key
    }

    [Fact]
    public async Task Given_a_body_over_the_limit_Then_413()
    {
        await using var h = await ServerHarness.StartAsync(
            tiny.Serving,
            new ServerOptions { ModelId = "tiny", MaxRequestBytes = 1000 }
        );
        var (status, json, _) = await h.PostAsync(
            "v1/chat/completions",
            Ok.Replace("\"hi\"", "\"" + new string('z', 2000) + "\"", StringComparison.Ordinal)
        );
        AssertError(413, status, json);
    }

    [Fact]
    public async Task Given_a_full_queue_Then_429_with_retry_after()
    {
        // The one slot must stay taken until the POST arrives. The tiny model decodes a whole context in well under
        // a second, which a loaded machine can take to deliver the POST; the small preset (about 50× the FLOPs per
        // token) holding its whole context takes seconds; greedy on this seed never emits a stop token.
        using var slow = LanguageModel.CreateFromScratch("small", "qwen2", seed: 7);
        await using var h = await ServerHarness.StartAsync(
            slow,
            engineOptions: new EngineOptions { MaxConcurrency = 1, MaxQueue = 0 }
        );
        var prompt = slow.Chat!.Render([new ChatMessage(ChatRole.User, "go on")]).Ids;
        var busy = h.Engine.Submit(
            new GenerationRequest
            {
                PromptIds = prompt,
                Temperature = 0,
                MaxNewTokens = slow.Config.MaxPositionEmbeddings - prompt.Count,
            }
        );
        await busy.Deltas.WaitToReadAsync();

        var (status, json, response) = await h.PostAsync("v1/chat/completions", Ok);

        Assert.False(busy.Result.IsCompleted, "the busy sequence ended before the request: the test proves nothing");
        AssertError(429, status, json);
        Assert.NotNull(response.Headers.RetryAfter);
        busy.Cancel();
    }

    [Fact]
    public async Task Given_n_above_what_the_engine_can_ever_hold_Then_400_naming_n_and_the_limit_not_429()
    {
        // 2 slots + 2 waiting places hold 4 sequences: 8 choices could never be admitted, however long one waits.
        await using var h = await ServerHarness.StartAsync(
            tiny.Serving,
            engineOptions: new EngineOptions { MaxConcurrency = 2, MaxQueue = 2 }
        );
        var (status, json, _) = await h.PostAsync(
            "v1/chat/completions",
            Ok.Replace("}]", "}],\"n\":8", StringComparison.Ordinal)
        );
        var (fits, _, _) = await h.PostAsync(
            "v1/chat/completions",
            Ok.Replace("}]", "}],\"n\":4", StringComparison.Ordinal)
        );

        AssertError(400, status, json, "n");
        string message = (string)JsonNode.Parse(json)!["error"]!["message"]!;
        Assert.Contains("'n' 8", message, StringComparison.Ordinal);
        Assert.Contains("at most 4", message, StringComparison.Ordinal);
        Assert.Equal(200, fits);
    }

    [Fact]
    public async Task Given_models_and_health_Then_they_list_the_served_model()
    {
        await using var h = await ServerHarness.StartAsync(tiny.Serving);
        var models = JsonNode.Parse(await h.Http.GetStringAsync("v1/models"))!;
        Assert.Equal("list", (string?)models["object"]);
        Assert.Equal("tiny", (string?)models["data"]![0]!["id"]);
        Assert.Equal("ok", (string?)JsonNode.Parse(await h.Http.GetStringAsync("health"))!["status"]);
    }

    [Fact]
    public async Task Given_a_client_that_disconnects_mid_stream_Then_its_slot_is_freed()
    {
        await using var h = await ServerHarness.StartAsync(
            tiny.Serving,
            engineOptions: new EngineOptions { MaxConcurrency = 1, MaxQueue = 0 }
        );
        string body =
            """{"model":"tiny","messages":[{"role":"user","content":"go on"}],"temperature":0,"max_completion_tokens":900,"reasoning_effort":"high","stream":true}""";
        // The 900 greedy tokens take about a second; on a loaded machine the test thread can miss that window (seen
        // once while an RL job held both cores), so a request that ended before it was seen active is sent again.
        bool seenActive = false;
        for (int attempt = 0; attempt < 5 && !seenActive; attempt++)
        {
            using var cts = new CancellationTokenSource();
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
            {
                Content = new StringContent(body),
            };
            var response = await h.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            var stream = await response.Content.ReadAsStreamAsync(cts.Token);
            await stream.ReadAtLeastAsync(new byte[64], 1, cancellationToken: cts.Token);
            for (int i = 0; i < 200 && h.Engine.Active == 0; i++)
                await Task.Delay(10);
            seenActive = h.Engine.Active == 1; // decoding its 900 greedy newlines
            cts.Cancel();
            response.Dispose();
            for (int i = 0; i < 600 && h.Engine.Active > 0; i++)
                await Task.Delay(50);
        }

        Assert.True(
            seenActive,
            "the streamed request was never seen decoding: it finished before the test could disconnect"
        );
        Assert.Equal(0, h.Engine.Active); // freed (waited for above, at most 30 s)
        var (status, _, _) = await h.PostAsync("v1/chat/completions", Ok);
        Assert.Equal(200, status);
    }
}
