using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Ponder.Server.Endpoints;

/// <summary>Writes one <c>/v1/responses</c> response: the whole object at the end, or OpenAI's stream events
/// (created → reasoning item with summary deltas → message item with text deltas → function call items with their
/// arguments → completed). The message item opens with its first text, or at the end when there are no calls.</summary>
sealed class ResponseWriter(HttpContext ctx, ServerState s, string id, bool stream)
{
    readonly long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    readonly string reasoningId = "rs_" + Guid.NewGuid().ToString("N");
    readonly string messageId = "msg_" + Guid.NewGuid().ToString("N");
    readonly System.Text.StringBuilder text = new();
    JsonObject? reasoningItem;
    bool messageOpen;
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

    async Task OpenMessage()
    {
        if (messageOpen)
            return;
        messageOpen = true;
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
        if (delta.Length == 0)
            return;
        await OpenMessage().ConfigureAwait(false);
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

    /// <summary>The message (when it has text or there are no calls), then each call as a function_call item.</summary>
    public async Task Complete(ChoiceOutcome outcome, int promptTokens, IReadOnlyList<Text.ToolCall> calls)
    {
        bool incomplete = outcome.FinishReason == "length" && calls.Count == 0;
        string status = incomplete ? "incomplete" : "completed";
        if (calls.Count == 0)
            await OpenMessage().ConfigureAwait(false);
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
        var output = new JsonArray { reasoningItem!.DeepClone() };
        if (messageOpen)
            output.Add(message);
        var items = calls.Select(FunctionCall).ToList();
        foreach (var item in items)
            output.Add(item.DeepClone());
        var response = Response(status, usage, output);
        if (incomplete)
            response["incomplete_details"] = new JsonObject { ["reason"] = "max_output_tokens" };
        if (!stream)
        {
            await Results.Json(response).ExecuteAsync(ctx).ConfigureAwait(false);
            return;
        }
        if (messageOpen)
            await MessageDone(message).ConfigureAwait(false);
        for (int i = 0; i < items.Count; i++)
            await CallEvents(items[i], output.Count - items.Count + i).ConfigureAwait(false);
        await Event(
                incomplete ? "response.incomplete" : "response.completed",
                new JsonObject { ["response"] = response }
            )
            .ConfigureAwait(false);
    }

    async Task MessageDone(JsonObject message)
    {
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
    }

    /// <summary>A call as OpenAI streams it: item added (no arguments yet), the arguments as one delta, arguments
    /// done, item done.</summary>
    async Task CallEvents(JsonObject item, int index)
    {
        string itemId = (string)item["id"]!,
            arguments = (string)item["arguments"]!;
        var added = (JsonObject)item.DeepClone();
        added["arguments"] = "";
        added["status"] = "in_progress";
        await Event("response.output_item.added", new JsonObject { ["output_index"] = index, ["item"] = added })
            .ConfigureAwait(false);
        await Event(
                "response.function_call_arguments.delta",
                new JsonObject
                {
                    ["item_id"] = itemId,
                    ["output_index"] = index,
                    ["delta"] = arguments,
                }
            )
            .ConfigureAwait(false);
        await Event(
                "response.function_call_arguments.done",
                new JsonObject
                {
                    ["item_id"] = itemId,
                    ["output_index"] = index,
                    ["arguments"] = arguments,
                }
            )
            .ConfigureAwait(false);
        await Event(
                "response.output_item.done",
                new JsonObject { ["output_index"] = index, ["item"] = item.DeepClone() }
            )
            .ConfigureAwait(false);
    }

    static JsonObject FunctionCall(Text.ToolCall call) =>
        new()
        {
            ["type"] = "function_call",
            ["id"] = "fc_" + Guid.NewGuid().ToString("N"),
            ["call_id"] = ToolUse.NewCallId(),
            ["name"] = call.Name,
            ["arguments"] = call.ArgumentsJson,
            ["status"] = "completed",
        };

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
