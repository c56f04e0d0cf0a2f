using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Rollouts;

namespace Ponder.Clients.Fleet;

/// <summary>
/// RL rollouts from a fleet of OpenAI-compatible inference servers. Each prompt's G samples are one
/// <c>/v1/completions</c> request, sent to the replica with the fewest requests outstanding (at most
/// <see cref="FleetOptions.MaxInFlight"/> each, so a faster replica takes more). A replica that fails or times out
/// leaves the fleet until the next sync and its requests go to the others: the step completes with nothing lost, the
/// failure logged. With every replica down the step fails with a clear error; the run's last checkpoint resumes it.
/// Weight sync and its probe: <see cref="Sync"/>.
/// </summary>
public sealed partial class FleetRollouts : IRolloutFleet
{
    const string AdapterPrefix = "ponder-rl-v";

    readonly FleetOptions options;
    readonly Replica[] replicas;
    readonly CompletionsWire.Decoding decoding;
    readonly Action<string> log;
    readonly ConcurrentDictionary<string, double> metrics = new();
    string? model; // the name requests give: the base's (disk sync) or the newest adapter's

    /// <param name="policy">The trainer's model: its tokenizer decodes the replicas' ids as its own engine
    /// would.</param>
    /// <param name="log">Where failures and syncs are reported (a line each).</param>
    public FleetRollouts(FleetOptions options, LanguageModel policy, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        this.options = options.Validate();
        this.log = log ?? (_ => { });
        replicas = [.. options.Endpoints.Select(e => new Replica(e, options.ApiKey, options.TimeoutSeconds))];
        var format = policy.Prompt;
        decoding = new CompletionsWire.Decoding(
            policy.Tokenizer,
            policy.StopTokenIds.Concat(format?.EndOfTurnIds ?? []).ToHashSet(),
            format?.ThinkStartId,
            format?.ThinkEndId
        );
    }

    /// <summary>Replicas serving now.</summary>
    public int Up => replicas.Count(r => r.Down is null);

    public IReadOnlyList<Completion> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(options);
        if (model is null)
            throw new InvalidOperationException("Sync the fleet before sampling from it.");
        var clock = Stopwatch.StartNew();
        var results = Task.Run(() => GenerateAsync(prompts, options)).GetAwaiter().GetResult();
        Add("time/fleet_generate", clock.Elapsed.TotalSeconds);
        return [.. results.SelectMany(r => r)];
    }

    async Task<Completion[][]> GenerateAsync(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingOptions options)
    {
        var results = new Completion[prompts.Count][];
        var jobs = new Queue<int>(Enumerable.Range(0, prompts.Count));
        var running = new List<Task<int?>>();
        while (jobs.Count > 0 || running.Count > 0)
        {
            while (jobs.Count > 0 && Next() is { } replica)
            {
                int job = jobs.Dequeue();
                replica.Begin();
                running.Add(RunAsync(replica, job, prompts[job], options, results));
            }
            if (running.Count == 0)
                throw AllDown($"with {jobs.Count} of {prompts.Count} prompts still to sample");
            var done = await Task.WhenAny(running).ConfigureAwait(false);
            running.Remove(done);
            if (await done.ConfigureAwait(false) is int failed)
                jobs.Enqueue(failed);
        }
        return results;
    }

    /// <summary>The serving replica with room and the fewest requests outstanding, or null.</summary>
    Replica? Next() =>
        replicas
            .Where(r => r.Down is null && r.Outstanding < options.MaxInFlight)
            .OrderBy(r => r.Outstanding)
            .FirstOrDefault();

    /// <summary>Samples one prompt on <paramref name="replica"/>; returns the job when the replica failed.</summary>
    async Task<int?> RunAsync(
        Replica replica,
        int job,
        IReadOnlyList<int> prompt,
        SamplingOptions options,
        Completion[][] results
    )
    {
        try
        {
            string answer = await replica
                .PostAsync(CompletionsWire.Path, CompletionsWire.Request(model!, prompt, options))
                .ConfigureAwait(false);
            results[job] = Parse(answer, job, prompt, options.N);
            return null;
        }
        catch (ReplicaFailure e)
        {
            Fail(replica, e.Message);
            Add("fleet/requests_retried", 1);
            return job;
        }
        finally
        {
            replica.End();
        }
    }

    Completion[] Parse(string answer, int job, IReadOnlyList<int> prompt, int n)
    {
        try
        {
            return CompletionsWire.Parse(answer, job, prompt, n, decoding);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            throw new ReplicaFailure($"answered JSON that is not a completions response ({e.Message})", e);
        }
    }

    /// <summary>Takes <paramref name="replica"/> out of the fleet (once), saying why.</summary>
    void Fail(Replica replica, string why)
    {
        lock (replica)
        {
            if (replica.Down is not null)
                return;
            replica.Down = why;
        }
        Add("fleet/replica_failures", 1);
        log(
            $"rollout replica {replica.Root} failed: {why}; its requests go to the other {Up} replica(s) until the "
                + "next sync tries it again."
        );
    }

    PonderException AllDown(string when) =>
        new(
            $"every rollout replica is down {when}: "
                + string.Join("; ", replicas.Select(r => $"{r.Root}: {r.Down?.TrimEnd('.')}"))
                + ". Start them again (or give others with --rollout-endpoints) and continue the run with --resume."
        );

    void Add(string name, double value) => metrics.AddOrUpdate(name, value, (_, v) => v + value);

    public IReadOnlyDictionary<string, double> TakeMetrics()
    {
        var taken = new Dictionary<string, double> { ["fleet/replicas_up"] = Up };
        foreach (var key in metrics.Keys)
        {
            if (metrics.TryRemove(key, out var v))
                taken[key] = v;
        }
        taken.TryAdd("fleet/requests_retried", 0);
        taken.TryAdd("fleet/replica_failures", 0);
        return taken;
    }

    public void Dispose()
    {
        foreach (var r in replicas)
            r.Dispose();
    }

    static JsonObject Body(params (string Key, JsonNode? Value)[] fields) =>
        new(fields.Select(f => KeyValuePair.Create(f.Key, f.Value)));
}
