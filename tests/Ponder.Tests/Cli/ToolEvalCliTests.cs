using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Ponder.Tests.Tasks.Code;

namespace Ponder.Tests.Cli;

/// <summary>
/// <c>ponder eval --endpoint … --tools python</c> against a stand-in OpenAI-compatible server whose "model" calls
/// python for <c>Compute A op B.</c> and, once a tool message brings the right result, answers it. Ponder runs the
/// calls in the sandbox; the server executes nothing.
/// </summary>
[Collection(CodeFixture.Collection)]
public sealed partial class ToolEvalCliTests : IDisposable
{
    const int CallTokens = 20;

    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    /// <summary>What the stub received: each request's body.</summary>
    sealed class Stub(WebApplication app, string url, List<JsonNode> requests) : IAsyncDisposable
    {
        public string Url => url;
        public List<JsonNode> Requests => requests;

        public ValueTask DisposeAsync() => app.DisposeAsync();
    }

    [GeneratedRegex(@"Compute (\d+)([-+*])(\d+)\.")]
    private static partial Regex Problem();

    /// <summary>The stub's "model": a call when the last message is the user's (in <c>tool_calls</c> when the
    /// request offers tools, else as a Hermes block in the content), the answer when the tool's result is right.
    /// Each call turn uses <see cref="CallTokens"/> completion tokens.</summary>
    static async Task<Stub> StartStub()
    {
        var requests = new List<JsonNode>();
        var builder = WebApplication.CreateSlimBuilder();
        int port = FreePort();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.MapPost(
            "/v1/chat/completions",
            async (HttpContext context) =>
            {
                var request = (await JsonNode.ParseAsync(context.Request.Body))!;
                lock (requests)
                    requests.Add(request);
                var messages = request["messages"]!.AsArray();
                var m = Problem().Match(messages[0]!["content"]!.GetValue<string>());
                long a = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
                    b = long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
                char op = m.Groups[2].Value[0];
                string expected = (
                    op switch
                    {
                        '+' => a + b,
                        '-' => a - b,
                        _ => a * b,
                    }
                ).ToString(CultureInfo.InvariantCulture);
                var last = messages[^1]!;
                if (last["role"]!.GetValue<string>() == "user")
                {
                    string code = $"print({a} {op} {b})";
                    return Results.Json(Call(code, request["tools"] is not null));
                }
                bool right =
                    last["role"]!.GetValue<string>() == "tool" && last["content"]!.GetValue<string>() == expected;
                return Results.Json(
                    Reply(new { role = "assistant", content = right ? expected : "no idea" }, "stop", 5)
                );
            }
        );
        await app.StartAsync();
        return new Stub(app, $"http://127.0.0.1:{port}/v1", requests);
    }

    static object Call(string code, bool asToolCalls)
    {
        string arguments = JsonSerializer.Serialize(new { code });
        if (!asToolCalls)
        {
            string content = $"<tool_call>\n{{\"name\": \"python\", \"arguments\": {arguments}}}\n</tool_call>";
            return Reply(new { role = "assistant", content }, "stop", CallTokens);
        }
        var call = new
        {
            id = "call_stub7",
            type = "function",
            function = new { name = "python", arguments },
        };
        return Reply(
            new
            {
                role = "assistant",
                content = (string?)null,
                tool_calls = new[] { call },
            },
            "tool_calls",
            CallTokens
        );
    }

    static object Reply(object message, string finish, int tokens) =>
        new
        {
            id = "chatcmpl-stub",
            @object = "chat.completion",
            created = 0,
            model = "stub",
            choices = new[]
            {
                new
                {
                    index = 0,
                    message,
                    finish_reason = finish,
                },
            },
            usage = new
            {
                prompt_tokens = 10,
                completion_tokens = tokens,
                total_tokens = 10 + tokens,
            },
        };

    static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    (int Code, string Out, string Err) Eval(string url, int maxTokens, params string[] more) =>
        PonderCli.Run([
            "eval",
            "--endpoint",
            url,
            "--model-name",
            "stub",
            "--task",
            "arithmetic",
            "--task-option",
            "tool=python",
            "--limit",
            "3",
            "--max-tokens",
            maxTokens.ToString(CultureInfo.InvariantCulture),
            "--out",
            dir.File("samples.jsonl"),
            "--force",
            "--runs-dir",
            dir.File("runs"),
            "--json",
            .. more,
        ]);

    List<JsonNode> Samples() => [.. File.ReadLines(dir.File("samples.jsonl")).Select(l => JsonNode.Parse(l)!)];

    [Fact]
    public async Task Given_a_server_that_calls_python_When_evaluated_with_tools_Then_Ponder_runs_it_and_grades()
    {
        await using var stub = await StartStub();

        var (code, stdout, stderr) = Eval(stub.Url, 100, "--tools", "python");

        Assert.True(code == 0, stderr);
        // Per problem: the call turn, then the answer turn.
        Assert.Equal(6, stub.Requests.Count);
        var firsts = stub.Requests.Where(r => r["messages"]!.AsArray().Count == 1).ToList();
        var seconds = stub.Requests.Where(r => r["messages"]!.AsArray().Count == 3).ToList();
        Assert.Equal(3, firsts.Count);
        Assert.Equal(3, seconds.Count);
        Assert.All(firsts, r => Assert.Equal("python", r["tools"]![0]!["function"]!["name"]!.GetValue<string>()));
        // The budget is shared: 100 tokens, 20 spent on the call, 80 left for the answer.
        Assert.All(
            firsts,
            r => Assert.Equal(100, r["max_completion_tokens"]?.GetValue<int>() ?? r["max_tokens"]!.GetValue<int>())
        );
        Assert.All(
            seconds,
            r => Assert.Equal(80, r["max_completion_tokens"]?.GetValue<int>() ?? r["max_tokens"]!.GetValue<int>())
        );
        Assert.All(
            seconds,
            r =>
            {
                var messages = r["messages"]!.AsArray();
                Assert.Equal("call_stub7", messages[1]!["tool_calls"]![0]!["id"]!.GetValue<string>());
                Assert.Equal("tool", messages[2]!["role"]!.GetValue<string>());
                Assert.Equal("call_stub7", messages[2]!["tool_call_id"]!.GetValue<string>());
            }
        );
        var samples = Samples();
        Assert.All(samples, s => Assert.True(s["correct"]!.GetValue<bool>(), s.ToJsonString()));
        Assert.All(samples, s => Assert.Equal(2, s["turns"]!.GetValue<int>()));
        Assert.All(samples, s => Assert.Equal(1, s["tool_calls"]!.GetValue<int>()));
        var metrics = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(1.0, metrics.GetProperty("pass@1").GetDouble());
        Assert.Equal(2.0, metrics.GetProperty("turns").GetDouble());
        Assert.Equal(1.0, metrics.GetProperty("tool_call_rate").GetDouble());
    }

    [Fact]
    public async Task Given_no_tool_definitions_When_the_model_writes_calls_in_its_content_Then_they_are_run_too()
    {
        await using var stub = await StartStub();

        var (code, _, stderr) = Eval(stub.Url, 100, "--tools", "python", "--no-tool-definitions");

        Assert.True(code == 0, stderr);
        Assert.All(stub.Requests, r => Assert.Null(r["tools"]));
        Assert.Equal(6, stub.Requests.Count);
        Assert.All(
            stub.Requests.Where(r => r["messages"]!.AsArray().Count == 3),
            r =>
            {
                // The call goes back once, in tool_calls under an id Ponder gave it, not again in the content.
                var assistant = r["messages"]![1]!;
                Assert.True(assistant["content"] is null || assistant["content"]!.ToJsonString() is "\"\"" or "[]");
                Assert.Equal("call_0", assistant["tool_calls"]![0]!["id"]!.GetValue<string>());
                Assert.Equal("call_0", r["messages"]![2]!["tool_call_id"]!.GetValue<string>());
            }
        );
        var samples = Samples();
        Assert.All(samples, s => Assert.True(s["correct"]!.GetValue<bool>(), s.ToJsonString()));
        Assert.All(samples, s => Assert.Equal(2, s["turns"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Given_a_budget_the_call_spends_When_evaluated_Then_the_call_turn_is_the_last_and_graded_wrong()
    {
        await using var stub = await StartStub();

        var (code, stdout, stderr) = Eval(stub.Url, CallTokens, "--tools", "python", "--max-turns", "4");

        Assert.True(code == 0, stderr);
        // 20 of 20 tokens spent by the call: no request is left for the answer.
        Assert.Equal(3, stub.Requests.Count);
        var samples = Samples();
        Assert.All(samples, s => Assert.False(s["correct"]!.GetValue<bool>()));
        Assert.All(samples, s => Assert.Equal(1, s["turns"]!.GetValue<int>()));
        Assert.All(samples, s => Assert.Equal(1, s["tool_calls"]!.GetValue<int>()));
        Assert.Equal(0.0, JsonDocument.Parse(stdout).RootElement.GetProperty("pass@1").GetDouble());
    }

    [Theory]
    [InlineData("--tools bash", "--tools bash: unknown tool; the tools are python.")]
    [InlineData("--max-turns 3", "--max-turns is set but --tools is not: add --tools python.")]
    [InlineData("--tools python --max-turns 0", "--max-turns 0: use 1 to 64 model turns.")]
    [InlineData("--no-tool-definitions", "--no-tool-definitions is set but --tools is not: add --tools python.")]
    public void Given_bad_tool_options_Then_one_line_says_what_to_change(string options, string message)
    {
        var (code, _, stderr) = Eval("http://127.0.0.1:9/v1", 100, options.Split(' '));

        Assert.NotEqual(0, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Given_a_local_model_When_evaluated_with_tools_Then_samples_are_episodes_with_turns_and_calls_recorded()
    {
        string model = dir.File("tiny");
        Assert.Equal(0, PonderCli.Run("init", "--out", model, "--preset", "tiny", "--seed", "1").Code);
        string[] args =
        [
            "eval",
            "--model",
            model,
            "--task",
            "arithmetic",
            "--task-option",
            "tool=python",
            "--limit",
            "2",
            "--samples",
            "2",
            "--temperature",
            "1",
            "--max-tokens",
            "24",
            "--out",
            dir.File("local.jsonl"),
            "--runs-dir",
            dir.File("runs"),
            "--json",
        ];

        var (code, stdout, stderr) = PonderCli.Run([.. args, "--tools", "python", "--no-tool-definitions"]);
        var scored = PonderCli.Run([.. args, "--tools", "python", "--scorer", dir.File("scorer"), "--force"]);

        Assert.True(code == 0, stderr);
        var samples = File.ReadLines(dir.File("local.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(4, samples.Count);
        Assert.All(samples, s => Assert.InRange(s["turns"]!.GetValue<int>(), 1, 4));
        Assert.All(samples, s => Assert.True(s["tool_calls"]!.GetValue<int>() >= 0));
        var metrics = JsonDocument.Parse(stdout).RootElement;
        Assert.InRange(metrics.GetProperty("turns").GetDouble(), 1, 4);
        Assert.InRange(metrics.GetProperty("tool_call_rate").GetDouble(), 0, 1);
        Assert.NotEqual(0, scored.Code);
        Assert.Contains("--scorer scores one-turn completions", scored.Err, StringComparison.Ordinal);
    }
}
