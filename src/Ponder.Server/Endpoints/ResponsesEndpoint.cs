using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Ponder.Server.Api;
using Ponder.Text;

namespace Ponder.Server.Endpoints;

/// <summary>
/// <c>POST /v1/responses</c>: a reasoning item whose summary comes from the
/// <see cref="Summaries.IReasoningSummarizer"/> (never the raw chain; no summary in hidden mode), then the message.
/// Streams the summary and the text as events. </summary>
static class ResponsesEndpoint
{
    public static async Task Handle(HttpContext ctx, ServerState s)
    {
        var req = await RequestReader
            .ReadAsync<ResponsesRequest>(ctx.Request, s.Options.MaxRequestBytes)
            .ConfigureAwait(false);
        s.CheckModel(req.Model);
        var settings = Settings(req, s);
        string id = "resp_" + Guid.NewGuid().ToString("N");
        var run = s.Start(ctx, id, settings);
        bool summarize = req.Reasoning?.Summary is not null && s.Options.Reasoning != ReasoningMode.Hidden;
        var writer = new ResponseWriter(ctx, s, id, req.Stream == true);
        await writer.Begin().ConfigureAwait(false);
        var reasoning = new StringBuilder();
        bool messageOpen = false;
        ChoiceOutcome? outcome = null;
        await foreach (var e in run.Events(ctx.RequestAborted).ConfigureAwait(false))
        {
            if (e.Reasoning is { } r)
                reasoning.Append(r);
            if (e.Answer is null && e.Done is null)
                continue;
            if (!messageOpen)
            {
                // The reasoning is over: its summary goes out before any answer text.
                string? summary = summarize
                    ? await s
                        .Options.Summarizer.SummarizeAsync(
                            reasoning.ToString().TrimEnd('\n'),
                            e.Done?.Result.ReasoningTokens ?? run.ReasoningTokens(e.Index),
                            ctx.RequestAborted
                        )
                        .ConfigureAwait(false)
                    : null;
                await writer.Reasoning(summary).ConfigureAwait(false);
                await writer.OpenMessage().ConfigureAwait(false);
                messageOpen = true;
            }
            if (e.Answer is { } a)
                await writer.Text(a).ConfigureAwait(false);
            if (e.Done is { } d)
                outcome = d;
        }
        await writer.Complete(outcome!, run.PromptTokens).ConfigureAwait(false);
    }

    /// <summary>The request's prompt and sampling settings: one choice and no stop strings (/v1/responses has
    /// neither).</summary>
    static RunSettings Settings(ResponsesRequest req, ServerState s)
    {
        var messages = Input(req);
        var rendered = s.Engine.Prompt.RenderForGeneration(messages);
        var prompt = rendered.Ids;
        if (req.Reasoning?.Summary is not (null or "auto" or "concise" or "detailed"))
        {
            throw ApiException.BadRequest(
                $"'reasoning.summary' \"{req.Reasoning.Summary}\" must be auto, concise or detailed.",
                "reasoning.summary"
            );
        }

        if (req.Text?.Format is { } format)
            RequestReader.TextFormat(format.Type, "text.format");
        return new RunSettings
        {
            PromptIds = prompt,
            ReasoningOpen = rendered.ReasoningOpen,
            Temperature = RequestReader.Range(req.Temperature, 1.0, 0, 2, "temperature"),
            TopP = RequestReader.Range(req.TopP, 1.0, double.Epsilon, 1, "top_p"),
            Seed = req.Seed,
            MaxTokens = RequestReader.MaxTokens(
                req.MaxOutputTokens,
                "max_output_tokens",
                prompt.Count,
                s.Engine,
                s.Options
            ),
            ThinkingBudget = RequestReader.ThinkingBudget(req.Reasoning?.Effort, s.Engine, "reasoning.effort"),
        };
    }

    static List<ChatMessage> Input(ResponsesRequest req)
    {
        var messages = new List<ChatMessage>();
        if (!string.IsNullOrEmpty(req.Instructions))
            messages.Add(new ChatMessage(ChatRole.Developer, req.Instructions));
        if (req.Input is not { } input || input.ValueKind == JsonValueKind.Null)
            throw ApiException.BadRequest("'input' is required: a string or an array of messages.", "input");
        if (input.ValueKind == JsonValueKind.String)
        {
            messages.Add(new ChatMessage(ChatRole.User, input.GetString()!));
            return messages;
        }
        if (input.ValueKind != JsonValueKind.Array)
            throw ApiException.BadRequest("'input' must be a string or an array of messages.", "input");
        List<InputMessageDto?> items;
        try
        {
            items = input.Deserialize<List<InputMessageDto?>>()!;
        }
        catch (JsonException e)
        {
            throw JsonBody.Describe(e, typeof(List<InputMessageDto>), "input");
        }
        if (items.Count == 0)
            throw ApiException.BadRequest("'input' must not be empty.", "input");
        if (items.Any(i => i?.Type is not (null or "message")))
            throw ApiException.BadRequest("'input' items must be messages.", "input");
        messages.AddRange(
            RequestReader.Messages(
                [.. items.Select(i => i is null ? null : new ChatMessageDto { Role = i.Role, Content = i.Content })],
                "input"
            )
        );
        return messages;
    }
}
