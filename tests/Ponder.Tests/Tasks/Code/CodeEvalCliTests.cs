using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Ponder.Tests.Tasks.Code;

/// <summary>
/// <c>ponder eval --endpoint … --task code</c> on the sample problems, against a stand-in OpenAI-compatible server
/// whose "model" answers with the fixture's programs: sample 0 is each problem's reference solution, sample s ≥ 1
/// its corrupted program s − 1 (the reference again when it has fewer).
/// </summary>
[Collection(CodeFixture.Collection)]
public sealed class CodeEvalCliTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    static (int Code, string Out, string Err) Run(params string[] args) => Ponder.Tests.Cli.PonderCli.Run(args);

    /// <summary>A chat-completions server answering each request for a problem with that problem's next
    /// program.</summary>
    static async Task<(WebApplication App, string Url)> StartStub(int samples)
    {
        var rows = CodeFixture.Rows().ToList();
        var served = new Dictionary<string, int>();
        var builder = WebApplication.CreateSlimBuilder();
        int port = FreePort();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.MapPost(
            "/v1/chat/completions",
            async (HttpContext context) =>
            {
                var request = await JsonNode.ParseAsync(context.Request.Body);
                string prompt = request!["messages"]![0]!["content"]!.GetValue<string>();
                var row = rows.Single(r => prompt.Contains(Question(r.Id), StringComparison.Ordinal));
                int s;
                lock (served)
                {
                    s = served.GetValueOrDefault(row.Id);
                    served[row.Id] = (s + 1) % samples;
                }
                string? code = s == 0 || s > row.Corrupted.Length ? row.Solution : row.Corrupted[s - 1].Code;
                return Results.Json(Completion(CodeFixture.Answer(code)));
            }
        );
        await app.StartAsync();
        return (app, $"http://127.0.0.1:{port}/v1");
    }

    static string Question(string id)
    {
        foreach (var line in File.ReadLines(CodeFixture.Problems))
        {
            var row = JsonNode.Parse(line)!;
            if (row["id"]!.GetValue<string>() == id)
                return row["question"]!.GetValue<string>().Trim();
        }
        throw new InvalidOperationException(id);
    }

    static object Completion(string content) =>
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
                    message = new { role = "assistant", content },
                    finish_reason = "stop",
                },
            },
            usage = new
            {
                prompt_tokens = 10,
                completion_tokens = 20,
                total_tokens = 30,
            },
        };

    static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Given_reference_and_corrupted_programs_When_evaluated_Then_each_gets_its_expected_verdict()
    {
        int samples = 1 + CodeFixture.Rows().Max(r => r.Corrupted.Length);
        var (app, url) = await StartStub(samples);
        await using var _ = app;
        string samplesFile = dir.File("samples.jsonl");

        var (code, stdout, stderr) = Run(
            "eval",
            "--endpoint",
            url,
            "--model-name",
            "stub",
            "--task",
            "code",
            "--data",
            CodeFixture.Problems,
            "--task-option",
            "time_limit=1",
            "--samples",
            samples.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--k",
            "1",
            "--out",
            samplesFile,
            "--runs-dir",
            dir.File("runs"),
            "--json"
        );

        Assert.True(code == 0, stderr);
        var expected = CodeFixture
            .Rows()
            .SelectMany(r =>
                Enumerable
                    .Range(0, samples)
                    .Select(s => (r.Id, s, s == 0 || s > r.Corrupted.Length ? "accepted" : r.Corrupted[s - 1].Verdict))
            )
            .ToHashSet();
        var got = File.ReadLines(samplesFile)
            .Select(l => JsonNode.Parse(l)!)
            .Select(n =>
                (
                    n["problem_id"]!.GetValue<string>(),
                    n["sample_index"]!.GetValue<int>(),
                    n["verdict"]!.GetValue<string>()
                )
            )
            .ToHashSet();
        Assert.Equal(expected.OrderBy(x => x).ToList(), got.OrderBy(x => x).ToList());
        var metrics = JsonDocument.Parse(stdout).RootElement;
        double accepted = (double)expected.Count(e => e.Item3 == "accepted") / expected.Count;
        Assert.Equal(accepted, metrics.GetProperty("verdict/accepted").GetDouble(), 9);
    }

    [Fact]
    public void Given_the_code_task_without_data_or_with_a_bad_option_Then_one_line_errors_say_what_to_change()
    {
        var noData = Run("eval", "--endpoint", "http://127.0.0.1:9/v1", "--model-name", "m", "--task", "code");
        Assert.Contains("--task code reads problems from a JSONL file", noData.Err, StringComparison.Ordinal);
        var badOption = Run(
            "eval",
            "--endpoint",
            "http://127.0.0.1:9/v1",
            "--model-name",
            "m",
            "--task",
            "code",
            "--data",
            CodeFixture.Problems,
            "--task-option",
            "format=leetcode"
        );
        Assert.Contains("format=leetcode: unknown format; known: generic", badOption.Err, StringComparison.Ordinal);
        Assert.Single(badOption.Err.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Given_rl_on_code_problems_with_a_monitor_Then_steps_run_and_log_the_flag_rate()
    {
        string model = dir.File("tiny");
        Assert.Equal(0, Run("init", "--out", model, "--preset", "tiny", "--seed", "1").Code);
        string rules = dir.File("rules.json");
        File.WriteAllText(rules, """{"rules": [{"pattern": "(?s).", "action": "flag"}]}""");

        var (code, _, stderr) = Run(
            "rl",
            "--model",
            model,
            "--task",
            "code",
            "--data",
            CodeFixture.Problems,
            "--out",
            dir.File("rl"),
            "--steps",
            "1",
            "--prompts",
            "2",
            "--group-size",
            "2",
            "--max-tokens",
            "8",
            "--eval-problems",
            "2",
            "--eval-samples",
            "1",
            "--partial-reward",
            "--monitor",
            rules
        );

        Assert.True(code == 0, stderr);
        using var store = Ponder.Runs.RunStore.Open(dir.File("rl"));
        // The rule matches any reasoning that is not empty: the rate is a share of the step's 4 rollouts.
        var rate = Assert.Single(store.ReadMetrics("monitor/flag_rate")).Value;
        Assert.InRange(rate, 0, 1);
        Assert.Equal(0, rate * 4 % 1, 9);
    }
}
