using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Ponder.Server.Endpoints;

/// <summary>Writes one <c>/v1/responses</c> response: the whole object at the end, or OpenAI's stream events
/// (created → reasoning item with summary deltas → message item with text deltas → completed).</summary>
sealed class ResponseWriter(HttpContext ctx, ServerState s, string id, bool stream)
{
    readonly long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    readonly string reasoningId = "rs_" + Guid.NewGuid().ToString("N");
    readonly string messageId = "msg_" + Guid.NewGuid().ToString("N");
    readonly System.Text.StringBuilder text = new();
    JsonObject? reasoningItem;
    int sequence;

    public async Task Begin()
    {
        if (!stream)
            return;
        Sse.Begin(ctx.Response);
        await Event("response.created", new JsonObject { ["response"] = Response("in_progress", null, []) })
            .ConfigureAwait(false);
    }

    /// <summary>The reasoning item; <paramref name="summary"/> null gives an empty summary list.</summary>
    public async Task Reasoning(string? summary)
    {
        var parts = new JsonArray();
        if (summary is not null)
            parts.Add(new JsonObject { ["type"] = "summary_text", ["text"] = summary });
        reasoningItem = new JsonObject
        {
            ["type"] = "reasoning",
            ["id"] = reasoningId,
            ["summary"] = parts,
        };
        if (!stream)
            return;
        await Event(
                "response.output_item.added",
                new JsonObject
                {
                    ["output_index"] = 0,
                    ["item"] = new JsonObject
                    {
                        ["type"] = "reasoning",
                        ["id"] = reasoningId,
                        ["summary"] = new JsonArray(),
                    },
                }
            )
            .ConfigureAwait(false);
        if (summary is not null)
            await SummaryEvents(summary).ConfigureAwait(false);
        await Event(
                "response.output_item.done",
                new JsonObject { ["output_index"] = 0, ["item"] = reasoningItem.DeepClone() }
            )
            .ConfigureAwait(false);
    }

    /// <summary>The summary as one part with one text delta: part added, delta, text done, part done.</summary>
    async Task SummaryEvents(string summary)
    {
        await Event(
                "response.reasoning_summary_part.added",
                new JsonObject
                {
                    ["item_id"] = reasoningId,
                    ["output_index"] = 0,
                    ["summary_index"] = 0,
                    ["part"] = new JsonObject { ["type"] = "summary_text", ["text"] = "" },
                }
            )
            .ConfigureAwait(false);
        await Event(
                "response.reasoning_summary_text.delta",
                new JsonObject
                {
                    ["item_id"] = reasoningId,
                    ["output_index"] = 0,
                    ["summary_index"] = 0,
                    ["delta"] = summary,
                }
            )
            .ConfigureAwait(false);
        await Event(
                "response.reasoning_summary_text.done",
                new JsonObject
                {
                    ["item_id"] = reasoningId,
                    ["output_index"] = 0,
                    ["summary_index"] = 0,
                    ["text"] = summary,
                }
            )
            .ConfigureAwait(false);
        await Event(
                "response.reasoning_summary_part.done",
                new JsonObject
                {
                    ["item_id"] = reasoningId,
                    ["output_index"] = 0,
                    ["summary_index"] = 0,
                    ["part"] = new JsonObject { ["type"] = "summary_text", ["text"] = summary },
                }
            )
            .ConfigureAwait(false);
    }

    public async Task OpenMessage()
    {
        if (!stream)
            return;
        await Event(
                "response.output_item.added",
                new JsonObject { ["output_index"] = 1, ["item"] = Message("in_progress", "") }
            )
            .ConfigureAwait(false);
        await Event(
                "response.content_part.added",
                new JsonObject
                {
                    ["item_id"] = messageId,
                    ["output_index"] = 1,
                    ["content_index"] = 0,
                    ["part"] = Part(""),
                }
            )
            .ConfigureAwait(false);
    }

    public async Task Text(string delta)
    {
        text.Append(delta);
        if (stream)
        {
            await Event(
                    "response.output_text.delta",
                    new JsonObject
                    {
                        ["item_id"] = messageId,
                        ["output_index"] = 1,
                        ["content_index"] = 0,
                        ["delta"] = delta,
                    }
                )
                .ConfigureAwait(false);
        }
    }

    public async Task Complete(ChoiceOutcome outcome, int promptTokens)
    {
        bool incomplete = outcome.FinishReason == "length";
        string status = incomplete ? "incomplete" : "completed";
        var message = Message(
            incomplete ? "incomplete" : "completed",
            outcome.Blocked ? outcome.Answer : text.ToString()
        );
        var usage = new JsonObject
        {
            ["input_tokens"] = promptTokens,
            ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 },
            ["output_tokens"] = outcome.Result.CompletionTokens,
            ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = outcome.Result.ReasoningTokens },
            ["total_tokens"] = promptTokens + outcome.Result.CompletionTokens,
        };
        var response = Response(status, usage, [reasoningItem!.DeepClone(), message]);
        if (incomplete)
            response["incomplete_details"] = new JsonObject { ["reason"] = "max_output_tokens" };
        if (!stream)
        {
            await Results.Json(response).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        await Event(
                "response.output_text.done",
                new JsonObject
                {
                    ["item_id"] = messageId,
                    ["output_index"] = 1,
                    ["content_index"] = 0,
                    ["text"] = text.ToString(),
                }
            )
            .ConfigureAwait(false);
        await Event(
                "response.output_item.done",
                new JsonObject { ["output_index"] = 1, ["item"] = message.DeepClone() }
            )
            .ConfigureAwait(false);
        await Event(
                incomplete ? "response.incomplete" : "response.completed",
                new JsonObject { ["response"] = response }
            )
            .ConfigureAwait(false);
    }

    JsonObject Response(string status, JsonObject? usage, JsonArray output) =>
        new()
        {
            ["id"] = id,
            ["object"] = "response",
            ["created_at"] = created,
            ["status"] = status,
            ["model"] = s.Options.ModelId,
            ["output"] = output,
            ["incomplete_details"] = null,
            ["error"] = null,
            ["usage"] = usage,
        };

    JsonObject Message(string status, string content) =>
        new()
        {
            ["type"] = "message",
            ["id"] = messageId,
            ["status"] = status,
            ["role"] = "assistant",
            ["content"] = new JsonArray { Part(content) },
        };

    static JsonObject Part(string content) =>
        new()
        {
            ["type"] = "output_text",
            ["text"] = content,
            ["annotations"] = new JsonArray(),
        };

    Task Event(string type, JsonObject body)
    {
        body["type"] = type;
        body["sequence_number"] = sequence++;
        return Sse.Data(ctx.Response, body, type);
    }
}
