using System.Text.Json.Nodes;
using Ponder.LanguageModels;
using Ponder.Server;
using static TorchSharp.torch;

namespace Ponder.Tests.Serving;

/// <summary>SGLang's update_weights_from_disk on ponder serve: the served weights become the checkpoint's, a failed
/// update leaves the old ones serving, and the route is behind the API key.</summary>
public sealed class WeightSyncTests
{
    const string WeightSync = "update_weights_from_disk";
    const string Chat = """{"model":"tiny","messages":[{"role":"user","content":"2+2"}],"max_completion_tokens":4}""";

    static string Body(string path) => new JsonObject { ["model_path"] = path }.ToJsonString();

    /// <summary>Whether every weight of <paramref name="served"/> equals the checkpoint in <paramref name="dir"/>'s.
    /// (Read while the engine is idle.)</summary>
    static bool Holds(LanguageModel served, string dir)
    {
        using var scope = NewDisposeScope();
        using var expected = LanguageModel.Load(dir);
        var want = expected.Network.state_dict();
        return served.Network.state_dict().All(kv => kv.Value.equal(want[kv.Key]).all().item<bool>());
    }

    [Fact]
    public async Task Given_a_checkpoint_on_disk_When_synced_Then_the_server_serves_its_weights()
    {
        using var dir = new TempDir();
        string first = dir.File("first"),
            second = dir.File("second");
        using (var a = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 5))
            a.Save(first);
        using (var b = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 6))
            b.Save(second);
        using var served = LanguageModel.Load(first);
        await using var h = await ServerHarness.StartAsync(
            served,
            new ServerOptions { ModelId = "tiny", ApiKey = "sesame" }
        );
        Assert.Equal(200, (await h.PostAsync("v1/chat/completions", Chat, key: "sesame")).Status);
        Assert.True(Holds(served, first));

        Assert.Equal(401, (await h.PostAsync(WeightSync, Body(second))).Status);
        Assert.True(Holds(served, first));
        var (status, body, _) = await h.PostAsync(WeightSync, Body(second), key: "sesame");
        Assert.True(status == 200, body);
        Assert.True((bool)JsonNode.Parse(body)!["success"]!);
        Assert.True(Holds(served, second));
        Assert.Equal(200, (await h.PostAsync("v1/chat/completions", Chat, key: "sesame")).Status);

        var missing = await h.PostAsync(WeightSync, Body(dir.File("nowhere")), key: "sesame");
        Assert.Equal(400, missing.Status);
        var answer = JsonNode.Parse(missing.Body)!;
        Assert.False((bool)answer["success"]!);
        Assert.Contains("nowhere", (string)answer["message"]!);
        Assert.True(Holds(served, second)); // the weights it had still serve
    }
}
