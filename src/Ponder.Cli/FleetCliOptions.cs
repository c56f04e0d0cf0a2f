using System.CommandLine;
using Ponder.Clients.Fleet;

namespace Ponder.Cli;

/// <summary>The rollout-fleet options of <c>ponder rl</c> (<c>--rollout-endpoints</c> turns the fleet on). Defaults
/// are <see cref="FleetOptions"/>'s.</summary>
sealed class FleetCliOptions
{
    static readonly FleetOptions Defaults = new() { Endpoints = [], SyncDirectory = "" };

    public Option<string?> Endpoints { get; } =
        new("--rollout-endpoints")
        {
            Description =
                "Sample rollouts on these OpenAI-compatible servers (vLLM, SGLang, ponder serve "
                + "--reasoning raw), comma-separated base URLs.",
        };
    public Option<string?> ApiKey { get; } =
        new("--rollout-api-key") { Description = "Bearer key of the rollout servers." };
    public Option<string?> Model { get; } =
        new("--rollout-model") { Description = "Model name the rollout servers serve (default: their /v1/models)." };
    public Option<string?> Sync { get; } =
        new("--sync")
        {
            Description =
                "Weight sync to the rollout servers: adapter (LoRA runs; the default there) or disk "
                + "(whole model; the default otherwise).",
        };
    public Option<double> Tolerance { get; } =
        new("--sync-tolerance")
        {
            Description = "Mean |Δ log-prob| at most between a server's sync probe and the trainer.",
            DefaultValueFactory = _ => Defaults.SyncTolerance,
        };
    public Option<double> Timeout { get; } =
        new("--rollout-timeout")
        {
            Description = "Seconds one prompt's samples may take before their server counts as failed.",
            DefaultValueFactory = _ => Defaults.TimeoutSeconds,
        };
    public Option<int> InFlight { get; } =
        new("--rollout-in-flight")
        {
            Description = "Requests in flight per rollout server at most.",
            DefaultValueFactory = _ => Defaults.MaxInFlight,
        };

    public void AddTo(Command command)
    {
        foreach (Option o in new Option[] { Endpoints, ApiKey, Model, Sync, Tolerance, Timeout, InFlight })
            command.Options.Add(o);
    }

    /// <summary>The fleet asked for, validated; null without <c>--rollout-endpoints</c>.</summary>
    public FleetOptions? Build(ParseResult r, string runFolder)
    {
        if (r.GetValue(Endpoints) is not { } list)
        {
            string? stray = new Option[] { ApiKey, Model, Sync, Tolerance, Timeout, InFlight }
                .Where(o => r.GetResult(o) is { Implicit: false })
                .Select(o => o.Name)
                .FirstOrDefault();
            if (stray is not null)
                throw new PonderException($"{stray} is set but --rollout-endpoints is not: add the servers' URLs.");
            return null;
        }
        var urls = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(u =>
                Uri.TryCreate(u, UriKind.Absolute, out var uri)
                    ? uri
                    : throw new PonderException($"--rollout-endpoints: '{u}' is not a URL (http://host:port).")
            )
            .ToArray();
        return new FleetOptions
        {
            Endpoints = urls,
            ApiKey = r.GetValue(ApiKey),
            Model = r.GetValue(Model),
            Sync = r.GetValue(Sync) switch
            {
                null => null,
                "adapter" => SyncMode.Adapter,
                "disk" => SyncMode.Disk,
                var s => throw new PonderException($"--sync {s}: use adapter or disk."),
            },
            SyncDirectory = Path.Combine(runFolder, "sync"),
            SyncTolerance = r.GetValue(Tolerance),
            TimeoutSeconds = r.GetValue(Timeout),
            MaxInFlight = r.GetValue(InFlight),
        }.Validate();
    }
}
