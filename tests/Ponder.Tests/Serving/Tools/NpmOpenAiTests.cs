using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Ponder.Tests.Serving.Tools;

/// <summary>
/// The npm <c>openai</c> client (version pinned in tests/oracles/openai/package.json) completes the tool round trip
/// against the server, whole and streamed, and no byte it receives holds the reasoning marker
/// (tests/oracles/openai/roundtrip.mjs). Node and the oracle's packages come from tools/install-oracles.sh, which the
/// test project's build runs; without them this test fails and says so.
/// </summary>
[Collection(ToolModelGroup.Name)]
public sealed class NpmOpenAiTests(ToolModel tools)
{
    static string Oracle => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../oracles/openai"));

    [Fact]
    public async Task Given_the_npm_openai_client_Then_its_tool_round_trip_completes_whole_and_streamed()
    {
        Assert.True(
            Directory.Exists(Path.Combine(Oracle, "node_modules", "openai")),
            $"{Oracle}/node_modules/openai is missing: run tools/install-oracles.sh (needs node, npm and the npm "
                + "registry)"
        );
        var config = new JsonObject
        {
            ["model"] = ToolModel.Model,
            ["marker"] = ToolModel.Secret,
            ["question"] = ToolModel.Question,
            ["result"] = ToolModel.Result,
            ["answer"] = ToolModel.FinalAnswer,
            ["tools"] = ToolModel.ChatTools(),
        };
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Oracle,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("roundtrip.mjs");
        start.ArgumentList.Add(tools.Harness.V1.ToString());
        start.ArgumentList.Add(config.ToJsonString());
        Process node;
        try
        {
            node = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"node could not be started ({e.Message}): run tools/install-oracles.sh");
            return;
        }
        using (node)
        {
            var output = node.StandardOutput.ReadToEndAsync();
            var error = node.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await node.WaitForExitAsync(timeout.Token);
            Assert.True(node.ExitCode == 0, $"roundtrip.mjs exited {node.ExitCode}: {await error}{await output}");
            Assert.StartsWith("roundtrip ok: called get_weather, get_weather", await output, StringComparison.Ordinal);
        }
    }
}
