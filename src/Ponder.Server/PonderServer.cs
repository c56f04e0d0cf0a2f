using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ponder.Server.Api;
using Ponder.Server.Endpoints;
using Ponder.Serving;

namespace Ponder.Server;

/// <summary>
/// The OpenAI-compatible HTTP server: Kestrel and minimal APIs over one <see cref="InferenceEngine"/>.
/// <c>POST /v1/chat/completions</c>, <c>POST /v1/responses</c>, <c>POST /v1/completions</c>, <c>GET /v1/models</c>,
/// <c>GET /health</c>, and a trainer's weight sync (<c>/update_weights_from_disk</c>, <c>/v1/load_lora_adapter</c>,
/// <c>/v1/unload_lora_adapter</c>).
/// Does not own the engine.
/// </summary>
public sealed class PonderServer : IAsyncDisposable
{
    readonly WebApplication app;

    /// <summary>Bodies up to this many times the limit are read to their end after a 413.</summary>
    const int DrainLimit = 8;

    PonderServer(WebApplication app) => this.app = app;

    /// <param name="port">0 picks a free port (tests); read <see cref="Address"/> after
    /// <see cref="StartAsync"/>.</param>
    /// <param name="logging">Extra logging setup (tests capture monitor flags here).</param>
    public static PonderServer Create(
        InferenceEngine engine,
        ServerOptions options,
        string host = "127.0.0.1",
        int port = 8080,
        Action<ILoggingBuilder>? logging = null
    )
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://{host}:{port}");
        // The request reader refuses a body over the limit with 413 as soon as it sees it (a chunked one has no
        // length to check first). Kestrel's own limit is higher so that it can read and drop the rest after the
        // answer: closing a socket with unread data resets the connection, and the client would lose the 413.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = DrainLimit * (long)options.MaxRequestBytes);
        if (options.ShutdownGrace < TimeSpan.Zero)
            throw new PonderException($"the shutdown grace {options.ShutdownGrace} must be zero or more.");
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownGrace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        logging?.Invoke(builder.Logging);
        var app = builder.Build();
        var state = new ServerState(
            engine,
            options,
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ponder.Server")
        );

        app.Use((ctx, next) => Guard(ctx, next, state));
        MapRoutes(app, state);
        return new PonderServer(app);
    }

    /// <summary>The OpenAI endpoints, the models list, health, and 404 in OpenAI's error shape for any other
    /// path.</summary>
    static void MapRoutes(WebApplication app, ServerState state)
    {
        var (engine, options) = (state.Engine, state.Options);
        app.MapPost("/v1/chat/completions", (HttpContext ctx) => ChatCompletionsEndpoint.Handle(ctx, state));
        app.MapPost("/v1/responses", (HttpContext ctx) => ResponsesEndpoint.Handle(ctx, state));
        app.MapPost("/v1/completions", (HttpContext ctx) => CompletionsEndpoint.Handle(ctx, state));
        app.MapPost(WeightSyncEndpoint.Path, (Delegate)((HttpContext ctx) => WeightSyncEndpoint.Handle(ctx, state)));
        app.MapPost(
            LoraAdapterEndpoint.LoadPath,
            (Delegate)((HttpContext ctx) => LoraAdapterEndpoint.Load(ctx, state))
        );
        app.MapPost(
            LoraAdapterEndpoint.UnloadPath,
            (Delegate)((HttpContext ctx) => LoraAdapterEndpoint.Unload(ctx, state))
        );
        app.MapGet(
            "/v1/models",
            () =>
                Results.Json(
                    new JsonObject
                    {
                        ["object"] = "list",
                        ["data"] = new JsonArray { ModelCard(state.Served) },
                    }
                )
        );
        app.MapGet(
            "/v1/models/{id}",
            (string id) =>
                id == state.Served
                    ? Results.Json(ModelCard(id))
                    : new ApiException(
                        404,
                        $"The model '{id}' does not exist.",
                        param: "model",
                        code: "model_not_found"
                    ).ToResult()
        );
        app.MapGet(
            "/health",
            () =>
                Results.Json(
                    new JsonObject
                    {
                        ["status"] = "ok",
                        ["active"] = engine.Active,
                        ["waiting"] = engine.Waiting,
                    }
                )
        );
        app.MapFallback(
            (HttpContext ctx) =>
                new ApiException(
                    404,
                    $"Unknown endpoint {ctx.Request.Method} {ctx.Request.Path}.",
                    code: "unknown_url"
                ).ToResult()
        );
    }

    /// <summary>Every request passes here: the API key check on /v1, and errors as OpenAI's error object (500 for
    /// anything unexpected, logged with the trace id) while the response has not started.</summary>
    static async Task Guard(HttpContext ctx, RequestDelegate next, ServerState state)
    {
        try
        {
            if (
                state.Options.ApiKey is { } key
                && (
                    ctx.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal)
                    || ctx.Request.Path.StartsWithSegments(WeightSyncEndpoint.Path, StringComparison.Ordinal)
                )
                && ctx.Request.Headers.Authorization.ToString() != "Bearer " + key
            )
            {
                throw new ApiException(
                    401,
                    "Incorrect or missing API key: send 'Authorization: Bearer <key>'.",
                    code: "invalid_api_key"
                );
            }

            await next(ctx).ConfigureAwait(false);
        }
        catch (ApiException e) when (!ctx.Response.HasStarted)
        {
            await e.ToResult().ExecuteAsync(ctx).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client went away; its sequences were cancelled through RequestAborted.
        }
        catch (Exception e) when (!ctx.Response.HasStarted && e is not ApiException)
        {
            LogFailure(state.Logger, ctx.TraceIdentifier, e);
            await new ApiException(500, "The server had an error while processing your request.", "server_error")
                .ToResult()
                .ExecuteAsync(ctx)
                .ConfigureAwait(false);
        }
    }

    /// <summary>OpenAI's model object, in /v1/models and /v1/models/{id}.</summary>
    static JsonObject ModelCard(string id) =>
        new()
        {
            ["id"] = id,
            ["object"] = "model",
            ["created"] = 0,
            ["owned_by"] = "ponder",
        };

    /// <summary>The bound address, e.g. http://127.0.0.1:41234/ (after <see cref="StartAsync"/>).</summary>
    public Uri Address =>
        new(
            app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/"
        );

    public Task StartAsync(CancellationToken ct = default) => app.StartAsync(ct);

    /// <summary>Serves until <paramref name="ct"/> is cancelled or the process is asked to stop (SIGTERM, SIGINT,
    /// SIGQUIT: the host's console lifetime turns them into <see cref="IHostApplicationLifetime.ApplicationStopping"/>
    /// instead of ending the process), then stops within <see cref="ServerOptions.ShutdownGrace"/>.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        await app.StartAsync(ct).ConfigureAwait(false);
        await WaitForStopAsync(ct).ConfigureAwait(false);
    }

    /// <summary>After <see cref="StartAsync"/>: waits as <see cref="RunAsync"/> does, then stops the server.</summary>
    public async Task WaitForStopAsync(CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, app.Lifetime.ApplicationStopping);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) { }
        // Kestrel stops accepting, lets requests in flight run until the host's shutdown timeout (the grace), then
        // aborts their connections, which cancels their sequences in the engine.
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }

    static readonly Action<ILogger, string, Exception?> LogFailure = LoggerMessage.Define<string>(
        LogLevel.Error,
        new EventId(2, "RequestFailed"),
        "request {TraceId} failed"
    );
}
