using Ponder.Clients.Fleet;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Model;
using Ponder.Reinforcement;
using Ponder.Server;
using Ponder.Tests.Serving;
using Ponder.Text;

namespace Ponder.Tests.Reinforcement;

/// <summary>RL rollouts from two <c>ponder serve</c> replicas on 127.0.0.1: with a sync every step and the same seeds
/// they train as local rollouts do; a replica killed mid-step leaves the step complete; the sync probe catches a
/// replica that does not serve the trainer's weights.</summary>
[Trait(Lanes.Category, Lanes.Slow)]
public sealed class FleetRolloutTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    static ServerOptions Replica(TimeSpan? grace = null) =>
        new()
        {
            ModelId = "base",
            Reasoning = ReasoningMode.Raw,
            ShutdownGrace = grace ?? TimeSpan.FromSeconds(5),
        };

    FleetOptions Fleet(params ServerHarness[] replicas) =>
        new() { Endpoints = [.. replicas.Select(r => r.Server.Address)], SyncDirectory = dir.File("sync") };

    static readonly string[] Tracked = ["reward/mean", "loss/policy", "loss/kl", "train/grad_norm"];

    static RlOptions Options(bool lora) =>
        RlTrainerTests.Small() with
        {
            Steps = 3,
            Policy = new Ponder.Algorithms.PolicyOptions { Beta = 0.05 },
            Lora = lora ? new LoraOptions { Rank = 4 } : null,
        };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Given_two_replicas_synced_every_step_Then_rl_trains_to_the_local_rollouts_metrics(bool lora)
    {
        string start = RlLoraTests.TrainedBase(dir);
        var local = new List<IReadOnlyDictionary<string, double>>();
        using (var lm = LanguageModel.Load(start))
        using (var trainer = new RlTrainer(lm, new ParityTask(), Options(lora)))
        {
            while (!trainer.Finished)
                local.Add(trainer.Step().Metrics);
        }

        using var servedA = LanguageModel.Load(start);
        using var servedB = LanguageModel.Load(start);
        await using var a = await ServerHarness.StartAsync(servedA, Replica());
        await using var b = await ServerHarness.StartAsync(servedB, Replica());
        var remote = new List<IReadOnlyDictionary<string, double>>();
        using (var lm = LanguageModel.Load(start))
        using (var fleet = new FleetRollouts(Fleet(a, b), lm))
        using (var trainer = new RlTrainer(lm, new ParityTask(), Options(lora), fleet))
        {
            while (!trainer.Finished)
                remote.Add((await Task.Run(trainer.Step)).Metrics);
        }

        for (int step = 0; step < local.Count; step++)
        {
            // Same seeds, same weights: the same samples; only batch-dependent float32 rounding differs.
            foreach (string name in Tracked)
                Assert.Equal(local[step][name], remote[step][name], 1e-4);
            Assert.Equal(2, remote[step]["fleet/replicas_up"]);
            Assert.Equal(0, remote[step]["fleet/requests_retried"]);
            Assert.True(remote[step]["sync/probe_abs_diff"] < 1e-4, $"probe {remote[step]["sync/probe_abs_diff"]}");
            Assert.True(remote[step]["offpolicy/logprob_abs_diff"] < 1e-4);
        }
        Assert.True(local[^1]["loss/kl"] > 0, "the policy moved, so each sync mattered");
    }

    [Fact]
    public async Task Given_a_replica_killed_mid_step_Then_the_step_completes_with_every_sample()
    {
        string start = RlLoraTests.TrainedBase(dir);
        using var policy = LanguageModel.Load(start);
        using var servedA = LanguageModel.Load(start);
        using var servedB = LanguageModel.Load(start);
        await using var a = await ServerHarness.StartAsync(servedA, Replica());
        var b = await ServerHarness.StartAsync(servedB, Replica(grace: TimeSpan.Zero));
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        string killed = b.Server.Address.ToString();
        using var fleet = new FleetRollouts(Fleet(a, b) with { MaxInFlight = 2 }, policy, lines.Enqueue);
        fleet.Sync(policy, 0);
        var prompts = Enumerable
            .Range(0, 24)
            .Select(i => (IReadOnlyList<int>)policy.Chat!.Render([new ChatMessage(ChatRole.User, $"{i}")]).Ids)
            .ToArray();
        var sampling = new SamplingOptions
        {
            N = 4,
            MaxNewTokens = 48,
            Seed = 9,
        };
        var expected = policy.CreateGenerator().Generate(prompts, sampling);

        var generating = Task.Run(() => fleet.Generate(prompts, sampling));
        while (b.Engine.Active == 0 && !generating.IsCompleted)
            await Task.Delay(1);
        await b.DisposeAsync(); // in flight: its requests are cut
        var completions = await generating;

        Assert.Equal(expected.Select(c => c.TokenIds), completions.Select(c => c.TokenIds));
        var metrics = fleet.TakeMetrics();
        Assert.Equal(1, metrics["fleet/replica_failures"]);
        Assert.True(metrics["fleet/requests_retried"] >= 1);
        Assert.Equal(1, metrics["fleet/replicas_up"]);
        Assert.Contains(lines, l => l.Contains(killed, StringComparison.Ordinal));

        await a.DisposeAsync();
        var down = Assert.Throws<PonderException>(() => fleet.Generate(prompts[..1], sampling));
        Assert.Contains("--resume", down.Message);
    }

    [Fact]
    public async Task Given_a_replica_on_another_base_When_an_adapter_is_synced_Then_the_probe_refuses_it()
    {
        string start = RlLoraTests.TrainedBase(dir);
        string other = dir.File("other");
        using (var made = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 6))
            made.Save(other);
        using var policy = LanguageModel.Load(start);
        policy.AttachAdapter(new LoraOptions { Rank = 2 }, seed: 1);
        using var served = LanguageModel.Load(other);
        await using var replica = await ServerHarness.StartAsync(served, Replica());
        using var fleet = new FleetRollouts(Fleet(replica), policy);

        var refused = Assert.Throws<PonderException>(() => fleet.Sync(policy, 0));

        Assert.Contains("does not serve the trainer's weights", refused.Message);
    }

    [Fact]
    public async Task Given_max_staleness_1_Then_each_step_trains_on_rollouts_one_version_old_and_resumes_exactly()
    {
        string start = RlLoraTests.TrainedBase(dir);
        var options = Options(lora: false) with { Steps = 4, MaxStaleness = 1 };
        using var servedModel = LanguageModel.Load(start);
        await using var replica = await ServerHarness.StartAsync(servedModel, Replica());

        var straight = new List<IReadOnlyDictionary<string, double>>();
        using (var lm = LanguageModel.Load(start))
        using (var fleet = new FleetRollouts(Fleet(replica), lm))
        using (var trainer = new RlTrainer(lm, new ParityTask(), options, fleet))
        {
            while (!trainer.Finished)
                straight.Add((await Task.Run(trainer.Step)).Metrics);
        }
        Assert.Equal([0.0, 1, 1, 1], straight.Select(m => m["rollout/policy_lag"]));

        var resumed = new List<IReadOnlyDictionary<string, double>>();
        string checkpoints = dir.File("ck");
        using (var lm = LanguageModel.Load(start))
        using (var fleet = new FleetRollouts(Fleet(replica), lm))
        using (var trainer = new RlTrainer(lm, new ParityTask(), options, fleet))
        {
            for (int i = 0; i < 2; i++)
                resumed.Add((await Task.Run(trainer.Step)).Metrics);
            await Task.Run(() => trainer.SaveCheckpoint(checkpoints));
            await Task.Run(trainer.Step); // lost in the "crash"
        }
        string latest = Ponder.Training.TrainingCheckpoint.Latest(checkpoints)!;
        Assert.True(File.Exists(Path.Combine(latest, "rollouts_ahead.json")));
        using (var lm = LanguageModel.Load(latest))
        using (var fleet = new FleetRollouts(Fleet(replica), lm))
        using (var trainer = new RlTrainer(lm, new ParityTask(), options, fleet))
        {
            trainer.Resume(latest);
            while (!trainer.Finished)
                resumed.Add((await Task.Run(trainer.Step)).Metrics);
        }

        Assert.Equal(straight.Count, resumed.Count);
        for (int step = 0; step < straight.Count; step++)
        {
            foreach (string name in Tracked)
                Assert.Equal(straight[step][name], resumed[step][name], 1e-4);
            Assert.Equal(straight[step]["rollout/policy_lag"], resumed[step]["rollout/policy_lag"]);
        }
    }

    [Fact]
    public void Given_max_staleness_without_a_fleet_or_below_sync_every_Then_it_is_refused()
    {
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 2);
        var noFleet = Assert.Throws<PonderException>(() =>
            new RlTrainer(lm, new ParityTask(), Options(false) with { MaxStaleness = 1 })
        );
        Assert.Contains("--rollout-endpoints", noFleet.Message);
        var stale = Assert.Throws<PonderException>(() =>
            (Options(false) with { MaxStaleness = 1, SyncEvery = 2 }).Validate()
        );
        Assert.Contains("--sync-every 2", stale.Message);
    }
}
