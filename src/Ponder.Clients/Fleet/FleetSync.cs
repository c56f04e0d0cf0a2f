using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Text;
using Ponder.Training;
using static TorchSharp.torch;

namespace Ponder.Clients.Fleet;

/// <summary>
/// Weight sync: the trainer writes the policy (the adapter, or the whole model) under
/// <see cref="FleetOptions.SyncDirectory"/>, every replica loads it (vLLM's <c>/v1/load_lora_adapter</c> under a new
/// name per version, then the previous name unloaded; SGLang's <c>/update_weights_from_disk</c>), and a greedy probe
/// checks each one: the log-probs it reports for its own probe tokens must match the trainer's within
/// <see cref="FleetOptions.SyncTolerance"/>. A replica that fails any of it is out until the next sync; replicas
/// that were out are tried again here.
/// </summary>
public sealed partial class FleetRollouts
{
    const string Probe = "Sync probe: what is 17 + 25?";

    string? written; // the folder of the previous sync

    public void Sync(LanguageModel policy, int version)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var clock = Stopwatch.StartNew();
        var mode = options.Sync ?? (policy.Network.Adapter is null ? SyncMode.Disk : SyncMode.Adapter);
        string dir = Write(policy, version, mode);
        string name =
            mode == SyncMode.Adapter
                ? AdapterPrefix + version.ToString(CultureInfo.InvariantCulture)
                : model ?? options.Model ?? DiscoverModel();
        var prompt = ProbePrompt(policy);
        var probes = Task.Run(() => PushAsync(dir, name, mode, prompt)).GetAwaiter().GetResult();
        double worst = 0;
        foreach (var (replica, tokens, served) in probes)
        {
            if (tokens is null)
                continue;
            double diff = MeanAbsDiff(Trainer(policy, prompt, tokens), served!);
            worst = Math.Max(worst, diff);
            if (!(diff <= options.SyncTolerance))
            {
                Fail(
                    replica,
                    $"after the sync to version {version} its probe log-probs differ from the trainer's by "
                        + $"{diff:G3} on average (tolerance {options.SyncTolerance}, --sync-tolerance): it does not "
                        + "serve the trainer's weights"
                );
            }
        }
        if (Up == 0)
            throw AllDown($"after the weight sync to version {version}");
        model = name;
        Add("time/sync", clock.Elapsed.TotalSeconds);
        metrics["sync/probe_abs_diff"] = worst;
        metrics["sync/version"] = version;
    }

    /// <summary>Writes the policy for version <paramref name="version"/>; the previous sync's folder stays.</summary>
    string Write(LanguageModel policy, int version, SyncMode mode)
    {
        if (mode == SyncMode.Adapter && policy.Network.Adapter is null)
        {
            throw new PonderException(
                "--sync adapter sends a LoRA adapter; train one (--lora-rank) or use --sync disk."
            );
        }

        if (mode == SyncMode.Disk && policy.Network.Adapter is not null)
        {
            throw new PonderException(
                "--sync disk sends a whole model, and this run trains a LoRA adapter; use --sync adapter."
            );
        }

        string dir = Path.GetFullPath(Path.Combine(options.SyncDirectory, "v" + version.ToString("D6", null)));
        if (Directory.Exists(dir))
            Directory.Delete(dir, recursive: true);
        policy.Save(dir);
        // Kept: this version and the one before it (a replica may still be loading it); not by name, since a resumed
        // run writes lower versions than the files an abandoned future left.
        foreach (var old in Directory.GetDirectories(options.SyncDirectory, "v*"))
        {
            if (Path.GetFullPath(old) != dir && Path.GetFullPath(old) != written)
                Directory.Delete(old, recursive: true);
        }
        written = dir;
        return dir;
    }

    string DiscoverModel()
    {
        var replica = replicas.FirstOrDefault(r => r.Down is null) ?? replicas[0];
        try
        {
            string json = Task.Run(() => replica.GetAsync("v1/models")).GetAwaiter().GetResult();
            return (string?)JsonNode.Parse(json)?["data"]?[0]?["id"]
                ?? throw new ReplicaFailure("lists no model in /v1/models");
        }
        catch (Exception e) when (e is ReplicaFailure or System.Text.Json.JsonException)
        {
            throw new PonderException(
                $"rollout replica {replica.Root}: could not read the served model's name ({e.Message}); give it with "
                    + "--rollout-model."
            );
        }
    }

    /// <summary>Every replica loads the new weights and answers the probe; null tokens where it failed.</summary>
    async Task<(Replica Replica, int[]? Tokens, float[]? Logprobs)[]> PushAsync(
        string dir,
        string name,
        SyncMode mode,
        int[] prompt
    ) =>
        await Task.WhenAll(
                replicas.Select(async replica =>
                {
                    try
                    {
                        await LoadAsync(replica, dir, name, mode).ConfigureAwait(false);
                        var probe = new SamplingOptions { Temperature = 0, MaxNewTokens = options.ProbeTokens };
                        string answer = await replica
                            .PostAsync(CompletionsWire.Path, CompletionsWire.Request(name, prompt, probe))
                            .ConfigureAwait(false);
                        var c = Parse(answer, 0, prompt, 1)[0];
                        replica.Down = null;
                        return (replica, (int[]?)[.. c.TokenIds], (float[]?)[.. c.Logprobs]);
                    }
                    catch (ReplicaFailure e)
                    {
                        replica.Down = null; // so that Fail reports it
                        Fail(replica, $"weight sync failed: {e.Message}");
                        return (replica, null, null);
                    }
                })
            )
            .ConfigureAwait(false);

    static async Task LoadAsync(Replica replica, string dir, string name, SyncMode mode)
    {
        if (mode == SyncMode.Disk)
        {
            string answer = await replica
                .PostAsync("update_weights_from_disk", Body(("model_path", dir)))
                .ConfigureAwait(false);
            if (JsonNode.Parse(answer)?["success"]?.GetValue<bool>() != true)
                throw new ReplicaFailure($"update_weights_from_disk answered {answer}");
            return;
        }
        await replica
            .PostAsync("v1/load_lora_adapter", Body(("lora_name", name), ("lora_path", dir)))
            .ConfigureAwait(false);
        if (replica.Adapter is { } previous && previous != name)
        {
            try
            {
                await replica.PostAsync("v1/unload_lora_adapter", Body(("lora_name", previous))).ConfigureAwait(false);
            }
            catch (ReplicaFailure) { } // already gone (a replica that holds one adapter replaced it)
        }
        replica.Adapter = name;
    }

    static int[] ProbePrompt(LanguageModel policy) =>
        policy.Chat is { } chat
            ? [.. chat.Render([new ChatMessage(ChatRole.User, Probe)]).Ids]
            : [.. policy.Tokenizer.Encode(Probe)];

    /// <summary>The trainer's log-probs of <paramref name="tokens"/> after <paramref name="prompt"/> (no dropout, no
    /// gradient).</summary>
    static float[] Trainer(LanguageModel policy, int[] prompt, int[] tokens)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var network = policy.Network;
        bool training = network.training;
        network.eval();
        try
        {
            long[] all = [.. prompt.Concat(tokens).Select(i => (long)i)];
            var ids = tensor(all, device: network.Device).unsqueeze(0);
            var lp = TokenLogprobs.Compute(network, ids, null)[0]; // (T − 1): log p(ids[t+1] | ids[≤t])
            return lp.narrow(0, prompt.Length - 1, tokens.Length).to(ScalarType.Float32).cpu().data<float>().ToArray();
        }
        finally
        {
            if (training)
                network.train();
        }
    }

    static double MeanAbsDiff(float[] a, float[] b) =>
        a.Length == 0 || a.Length != b.Length ? double.PositiveInfinity : a.Zip(b, (x, y) => Math.Abs(x - y)).Average();
}
