using System.Text.Json.Nodes;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Model;
using Ponder.Server;
using Ponder.Text;
using static TorchSharp.torch;

namespace Ponder.Tests.Serving;

/// <summary>What an RL trainer asks of a rollout replica: <c>/v1/completions</c> on token ids with the sampled
/// tokens' log-probs (vLLM's shape), and vLLM's LoRA load/unload.</summary>
public sealed class CompletionsAndAdapterTests
{
    const string Key = "sesame";

    static ServerOptions Raw =>
        new()
        {
            ModelId = "tiny",
            ApiKey = Key,
            Reasoning = ReasoningMode.Raw,
        };

    static string Body(IReadOnlyList<int> prompt, string model = "tiny", int n = 2) =>
        new JsonObject
        {
            ["model"] = model,
            ["prompt"] = new JsonArray([.. prompt.Select(id => (JsonNode)id)]),
            ["n"] = n,
            ["max_tokens"] = 12,
            ["temperature"] = 1.0,
            ["seed"] = 41,
            ["logprobs"] = 0,
            ["return_token_ids"] = true,
        }.ToJsonString();

    static int[] Prompt(LanguageModel lm) => [.. lm.Chat!.Render([new ChatMessage(ChatRole.User, "7+5")]).Ids];

    [Fact]
    public async Task Given_token_ids_and_a_seed_Then_the_choices_are_the_local_generators_samples()
    {
        using var model = new ServedModel();
        await using var h = await ServerHarness.StartAsync(model.Serving, Raw);
        var prompt = Prompt(model.Reference);
        var expected = model
            .Reference.CreateGenerator()
            .Generate(
                [prompt],
                new SamplingOptions
                {
                    N = 2,
                    MaxNewTokens = 12,
                    Seed = 41,
                }
            );

        var (status, body, _) = await h.PostAsync("v1/completions", Body(prompt), Key);

        Assert.True(status == 200, body);
        var choices = JsonNode.Parse(body)!["choices"]!.AsArray();
        Assert.Equal(2, choices.Count);
        foreach (var c in expected)
        {
            var choice = choices[c.SampleIndex]!;
            Assert.Equal(c.TokenIds, choice["token_ids"]!.AsArray().Select(x => (int)x!));
            Assert.Equal(prompt, choice["prompt_token_ids"]!.AsArray().Select(x => (int)x!));
            var logprobs = choice["logprobs"]!["token_logprobs"]!.AsArray().Select(x => (float)(double)x!).ToArray();
            Assert.Equal(c.Logprobs.Count, logprobs.Length);
            for (int i = 0; i < logprobs.Length; i++)
                Assert.Equal(c.Logprobs[i], logprobs[i], 1e-4f);
            Assert.Equal(c.Text, (string)choice["text"]!);
            Assert.Equal(c.FinishReasonText, (string)choice["finish_reason"]!);
        }
        Assert.Equal(401, (await h.PostAsync("v1/completions", Body(prompt))).Status);
    }

    [Fact]
    public async Task Given_hidden_reasoning_When_the_prompt_opens_a_think_block_Then_400_says_to_serve_raw()
    {
        using var model = new ServedModel();
        await using var h = await ServerHarness.StartAsync(
            model.Serving,
            Raw with
            {
                Reasoning = ReasoningMode.Hidden,
            }
        );

        var (status, body, _) = await h.PostAsync("v1/completions", Body(Prompt(model.Reference)), Key);

        Assert.Equal(400, status);
        Assert.Contains("--reasoning raw", body);
    }

    [Fact]
    public async Task Given_a_loaded_adapter_Then_requests_naming_it_compute_with_it_until_it_is_unloaded()
    {
        using var model = new ServedModel();
        using var dir = new TempDir();
        string adapterDir = dir.File("adapter");
        using (var trained = LanguageModel.Load(model.Dir))
        {
            var adapter = trained.AttachAdapter(new LoraOptions { Rank = 2 }, seed: 1);
            using (no_grad())
            using (var random = new Generator(7))
            {
                foreach (var (_, p) in adapter.Parameters)
                    p.normal_(0, 0.5, random); // B non-zero: the adapter changes the model
            }

            trained.Save(adapterDir);
        }
        await using var h = await ServerHarness.StartAsync(model.Serving, Raw);
        var prompt = Prompt(model.Reference);
        string Load(string name) => new JsonObject { ["lora_name"] = name, ["lora_path"] = adapterDir }.ToJsonString();
        string Unload(string name) => new JsonObject { ["lora_name"] = name }.ToJsonString();
        var baseAnswer = await h.PostAsync("v1/completions", Body(prompt, n: 1), Key);

        Assert.Equal(401, (await h.PostAsync("v1/load_lora_adapter", Load("step-1"))).Status);
        var loaded = await h.PostAsync("v1/load_lora_adapter", Load("step-1"), Key);
        Assert.True(loaded.Status == 200, loaded.Body);
        Assert.Equal(400, (await h.PostAsync("v1/load_lora_adapter", Load("step-1"), Key)).Status); // vLLM: loaded
        var adapted = await h.PostAsync("v1/completions", Body(prompt, "step-1", n: 1), Key);
        var baseWhileLoaded = await h.PostAsync("v1/completions", Body(prompt, n: 1), Key);

        using var reference = LanguageModel.Load(adapterDir);
        var expected = reference
            .CreateGenerator()
            .Generate([prompt], new SamplingOptions { MaxNewTokens = 12, Seed = 41 })[0];
        Assert.True(adapted.Status == 200, adapted.Body);
        Assert.Equal(expected.TokenIds, Ids(adapted.Body));
        Assert.Equal(expected.Logprobs[0], FirstLogprob(adapted.Body), 1e-4f);
        Assert.NotEqual(FirstLogprob(baseAnswer.Body), FirstLogprob(adapted.Body), 1e-2f);
        Assert.Equal(404, baseWhileLoaded.Status);
        Assert.Contains("unload", baseWhileLoaded.Body);

        Assert.Equal(404, (await h.PostAsync("v1/unload_lora_adapter", Unload("step-0"), Key)).Status);
        Assert.Equal(200, (await h.PostAsync("v1/unload_lora_adapter", Unload("step-1"), Key)).Status);
        var after = await h.PostAsync("v1/completions", Body(prompt, n: 1), Key);
        Assert.Equal(Ids(baseAnswer.Body), Ids(after.Body)); // the base again
        Assert.Equal(FirstLogprob(baseAnswer.Body), FirstLogprob(after.Body));
        Assert.Equal(404, (await h.PostAsync("v1/completions", Body(prompt, "step-1", n: 1), Key)).Status);
    }

    static float FirstLogprob(string body) =>
        (float)(double)JsonNode.Parse(body)!["choices"]![0]!["logprobs"]!["token_logprobs"]![0]!;

    static int[] Ids(string body) =>
        [.. JsonNode.Parse(body)!["choices"]![0]!["token_ids"]!.AsArray().Select(x => (int)x!)];
}
