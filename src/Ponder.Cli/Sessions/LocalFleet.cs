using Ponder.Clients.Fleet;
using Ponder.LanguageModels;
using Ponder.Server;
using Ponder.Serving;

namespace Ponder.Cli.Sessions;

/// <summary>
/// <c>ponder serve</c> replicas inside this process, on 127.0.0.1 ports of their own: the rollout fleet of
/// <c>ponder demo --rollout-replicas N</c>, reached over HTTP exactly as remote vLLM, SGLang or <c>ponder serve</c>
/// processes are. Each holds its own copy of the model, synced by the trainer over the wire.
/// </summary>
sealed class LocalFleet : IDisposable
{
    readonly List<(LanguageModel Model, InferenceEngine Engine, PonderServer Server)> replicas = [];

    LocalFleet() { }

    public static LocalFleet Start(string modelDir, int count, int groupSize)
    {
        var fleet = new LocalFleet();
        try
        {
            for (int i = 0; i < count; i++)
            {
                var lm = LanguageModel.Load(modelDir);
                var engine = new InferenceEngine(lm);
                var server = PonderServer.Create(
                    engine,
                    new ServerOptions
                    {
                        ModelId = "demo",
                        Reasoning = ReasoningMode.Raw,
                        MaxChoices = Math.Max(groupSize, new ServerOptions().MaxChoices),
                    },
                    port: 0
                );
                fleet.replicas.Add((lm, engine, server));
                server.StartAsync().GetAwaiter().GetResult();
            }
        }
        catch
        {
            fleet.Dispose();
            throw;
        }
        return fleet;
    }

    /// <summary>The fleet options that reach these replicas; synced weights go under
    /// <paramref name="syncDirectory"/>.</summary>
    public FleetOptions Options(string syncDirectory) =>
        new() { Endpoints = [.. replicas.Select(r => r.Server.Address)], SyncDirectory = syncDirectory };

    public void Dispose()
    {
        foreach (var (model, engine, server) in replicas)
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            engine.Dispose();
            model.Dispose();
        }
        replicas.Clear();
    }
}
