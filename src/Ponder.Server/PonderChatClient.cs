using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Ponder.Server.Api;
using Ponder.Serving;
using AI = Microsoft.Extensions.AI;

namespace Ponder.Server;

/// <summary>
/// An <see cref="IChatClient"/> over the serving engine in-process (no HTTP): the same continuous batching, thinking
/// budgets and CoT monitor as the server. <see cref="ChatOptions.Reasoning"/> effort maps to thinking budgets;
/// temperature, top-p, seed, stop sequences and the frequency and presence penalties to the request's own; a JSON
/// <see cref="ChatOptions.ResponseFormat"/> is refused (only text is generated);
/// usage reports <see cref="UsageDetails.ReasoningTokenCount"/>; <see cref="ChatOptions.Tools"/> and
/// <see cref="ChatOptions.ToolMode"/> work as the server's <c>tools</c> and <c>tool_choice</c>
/// (<see cref="ChatClientTools"/>), calls coming back as <see cref="FunctionCallContent"/>;
/// <see cref="TextReasoningContent"/> appears only when <see cref="ServerOptions.Reasoning"/> is
/// <see cref="ReasoningMode.Raw"/>. Safe for concurrent use; does not own the engine.
/// </summary>
public sealed class PonderChatClient(
    InferenceEngine engine,
    ServerOptions? serverOptions = null,
    ILogger? logger = null
) : IChatClient
{
    readonly ServerOptions server = serverOptions ?? new ServerOptions();
    readonly ILogger logger = logger ?? NullLogger.Instance;

    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<AI.ChatMessage> messages,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default
    )
    {
        var (run, tools) = Start(messages, options);
        var o = (await run.CompleteAsync(cancellationToken).ConfigureAwait(false))[0];
        var message = new AI.ChatMessage(AI.ChatRole.Assistant, []);
        if (ExposeReasoning)
            message.Contents.Add(new TextReasoningContent(o.Reasoning));
        var (content, calls) = o.Blocked ? (o.Answer, []) : tools.Read(o.Answer);
        if (content is not null)
            message.Contents.Add(new TextContent(content));
        foreach (var call in ChatClientTools.Calls(calls))
            message.Contents.Add(call);
        return new ChatResponse(message)
        {
            ResponseId = run.Id,
            ModelId = server.ModelId,
            FinishReason = calls.Count > 0 ? ChatFinishReason.ToolCalls : Finish(o.FinishReason),
            Usage = Usage(run.PromptTokens, o.Result),
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AI.ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default
    )
    {
        var (run, tools) = Start(messages, options);
        var hold = new Endpoints.CallHoldBack(tools);
        await foreach (var e in run.Events(cancellationToken).ConfigureAwait(false))
        {
            if (e.Reasoning is { } r && ExposeReasoning)
            {
                yield return Update(run, new TextReasoningContent(r));
            }
            else if (e.Answer is { } a && hold.Push(a) is { Length: > 0 } text)
            {
                yield return Update(run, new TextContent(text));
            }
            else if (e.Done is { } d)
            {
                var (remaining, calls) = hold.Finish(d.Answer, d.Blocked);
                if (remaining.Length > 0)
                    yield return Update(run, new TextContent(remaining));
                var last = Update(run, new UsageContent(Usage(run.PromptTokens, d.Result)));
                foreach (var call in ChatClientTools.Calls(calls))
                    last.Contents.Add(call);
                last.FinishReason = calls.Count > 0 ? ChatFinishReason.ToolCalls : Finish(d.FinishReason);
                yield return last;
            }
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("ponder", null, server.ModelId)
        : serviceType.IsInstanceOfType(this) ? this
        : serviceType.IsInstanceOfType(engine) ? engine
        : null;

    public void Dispose() { }

    bool ExposeReasoning => server.Reasoning == ReasoningMode.Raw;

    (ChatRun, ToolUse) Start(IEnumerable<AI.ChatMessage> messages, ChatOptions? o)
    {
        try
        {
            var tools = ChatClientTools.Read(o, engine.Prompt);
            var converted = ChatClientTools.Messages(messages);
            if (converted.Count == 0)
                throw new ArgumentException("at least one message is needed.", nameof(messages));
            var rendered = engine.Prompt.RenderForGeneration(
                MessageJson.Element(converted),
                "messages",
                tools.Variables(null)
            );
            var prompt = rendered.Ids;
            if (o?.ResponseFormat is ChatResponseFormatJson json)
                RequestReader.TextFormat(json.Schema is null ? "json_object" : "json_schema", "ResponseFormat");
            var settings = new RunSettings
            {
                PromptIds = prompt,
                ReasoningOpen = rendered.ReasoningOpen,
                AnswerPrefix = tools.AnswerPrefix,
                Temperature = RequestReader.Range(o?.Temperature, 1.0, 0, 2, "Temperature"),
                TopP = RequestReader.Range(o?.TopP, 1.0, double.Epsilon, 1, "TopP"),
                TopK = (int)RequestReader.Range(o?.TopK, 0, -1, int.MaxValue, "TopK"),
                Seed = o?.Seed,
                MaxTokens = RequestReader.MaxTokens(
                    o?.MaxOutputTokens,
                    "MaxOutputTokens",
                    prompt.Count,
                    engine,
                    server
                ),
                Stop = o?.StopSequences?.ToArray() ?? [],
                ThinkingBudget = Budget(o?.Reasoning?.Effort),
                FrequencyPenalty = RequestReader.Range(o?.FrequencyPenalty, 0, -2, 2, "FrequencyPenalty"),
                PresencePenalty = RequestReader.Range(o?.PresencePenalty, 0, -2, 2, "PresencePenalty"),
            };
            string id = "chat-" + Guid.NewGuid().ToString("N");
            return (ChatRun.Start(engine, server, logger, id, settings), tools);
        }
        catch (ApiException e)
        {
            throw new PonderException(e.Message, e);
        }
    }

    int Budget(AI.ReasoningEffort? effort) =>
        effort switch
        {
            AI.ReasoningEffort.None => 0,
            AI.ReasoningEffort.Low => RequestReader.ThinkingBudget("low", engine, "Reasoning.Effort"),
            AI.ReasoningEffort.High or AI.ReasoningEffort.ExtraHigh => RequestReader.ThinkingBudget(
                "high",
                engine,
                "Reasoning.Effort"
            ),
            _ => RequestReader.ThinkingBudget("medium", engine, "Reasoning.Effort"),
        };

    ChatResponseUpdate Update(ChatRun run, AIContent content) =>
        new(AI.ChatRole.Assistant, [content])
        {
            ResponseId = run.Id,
            MessageId = run.Id,
            ModelId = server.ModelId,
        };

    static ChatFinishReason Finish(string reason) =>
        reason switch
        {
            "stop" => ChatFinishReason.Stop,
            "length" => ChatFinishReason.Length,
            _ => ChatFinishReason.ContentFilter,
        };

    static UsageDetails Usage(int prompt, SequenceResult r) =>
        new()
        {
            InputTokenCount = prompt,
            OutputTokenCount = r.CompletionTokens,
            TotalTokenCount = prompt + r.CompletionTokens,
            ReasoningTokenCount = r.ReasoningTokens,
        };
}
