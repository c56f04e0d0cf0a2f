using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Ponder.LanguageModels;
using Ponder.Server;
using Ponder.Serving;
using Xunit.Abstractions;

namespace Ponder.FaultTests;

/// <summary>
/// Hostile and broken requests against a running server (seeded): malformed JSON, wrong types, invalid UTF-8, lone
/// surrogates, deep nesting, huge and chunked bodies, control tokens, every numeric field at and past its bounds. Only
/// 2xx and OpenAI-shaped 4xx come back — never a 5xx — and the server answers normally afterwards.
/// </summary>
[Trait("Category", "Slow")]
[Trait("Category", "Fault")]
public sealed class RequestFuzzTests(ITestOutputHelper output)
{
    const string Valid = """
        {"model":"tiny","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":4,"temperature":0}
        """;

    [Fact]
    public async Task Given_hostile_and_broken_requests_Then_no_5xx_and_the_server_stays_healthy()
    {
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 7);
        using var engine = new InferenceEngine(lm);
        await using var server = PonderServer.Create(engine, new ServerOptions { ModelId = "tiny" }, "127.0.0.1", 0);
        await server.StartAsync();
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) };

        var cases = FuzzCases.All(new Random(11)).ToList();
        var failures = new List<string>();
        int clientErrors = 0;
        foreach (var c in cases)
        {
            var (status, body) = await SendAsync(http, c);
            if (status >= 500 || (status >= 400 && !OpenAiShaped(body)))
                failures.Add($"{c.Name}: {status} {body[..Math.Min(body.Length, 200)]}");
            clientErrors += status is >= 400 and < 500 ? 1 : 0;
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal("ok", (string?)JsonNode.Parse(await http.GetStringAsync("health"))!["status"]);
        var after = await SendAsync(http, new FuzzCase("after", "v1/chat/completions", Encoding.UTF8.GetBytes(Valid)));
        Assert.Equal(200, after.Status);
        output.WriteLine(
            $"fault-suite fuzz: {cases.Count} requests, {clientErrors} refused with 4xx, {failures.Count} 5xx or "
                + "malformed errors, server healthy afterwards"
        );
    }

    static bool OpenAiShaped(string body)
    {
        try
        {
            var error = JsonNode.Parse(body)?["error"]?.AsObject();
            return error is not null
                && error["message"] is not null
                && error["type"] is not null
                && error.ContainsKey("param")
                && error.ContainsKey("code");
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    static async Task<(int Status, string Body)> SendAsync(HttpClient http, FuzzCase c)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, c.Path);
        HttpContent content = c.Chunked ? new StreamContent(new MemoryStream(c.Body)) : new ByteArrayContent(c.Body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Content = content;
        if (c.Chunked)
            request.Headers.TransferEncodingChunked = true;
        try
        {
            using var response = await http.SendAsync(request);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException e)
        {
            // A server that drops the connection instead of answering counts as a server error.
            return (599, e.Message);
        }
    }
}
