using System.Text;
using Microsoft.AspNetCore.Http;
using Ponder.Server.Api;

namespace Ponder.Server.Endpoints;

/// <summary>
/// <c>POST /v1/responses</c>: a reasoning item whose summary comes from the
/// <see cref="Summaries.IReasoningSummarizer"/> (never the raw chain; no summary in hidden mode), then the message
/// and, with <c>tools</c>, a <c>function_call</c> item per call read from the answer (<see cref="ToolUse"/>; text that
/// could be a call is held back while streaming, <see cref="CallHoldBack"/>). Streams the summary, the text and the
/// calls as events.</summary>
static class ResponsesEndpoint
{
    public static async Task Handle(HttpContext ctx, ServerState s)
    {
        var req = await RequestReader
            .ReadAsync<ResponsesRequest>(ctx.Request, s.Options.MaxRequestBytes)
            .ConfigureAwait(false);
        s.CheckModel(req.Model);
        var (settings, tools) = Settings(req, s);
        string id = "resp_" + Guid.NewGuid().ToString("N");
        var run = s.Start(ctx, id, settings);
        bool summarize = req.Reasoning?.Summary is not null && s.Options.Reasoning != ReasoningMode.Hidden;
        var writer = new ResponseWriter(ctx, s, id, req.Stream == true);
        await writer.Begin().ConfigureAwait(false);
        var reasoning = new StringBuilder();
        var hold = new CallHoldBack(tools);
        bool answering = false;
        ChoiceOutcome? outcome = null;
        await foreach (var e in run.Events(ctx.RequestAborted).ConfigureAwait(false))
        {
            if (e.Reasoning is { } r)
                reasoning.Append(r);
            if (e.Answer is null && e.Done is null)
                continue;
            if (!answering)
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
                answering = true;
            }
            if (e.Answer is { } a)
                await writer.Text(hold.Push(a)).ConfigureAwait(false);
            if (e.Done is { } d)
                outcome = d;
        }
        var (remaining, calls) = hold.Finish(outcome!.Answer, outcome.Blocked);
        await writer.Text(remaining).ConfigureAwait(false);
        await writer.Complete(outcome, run.PromptTokens, calls).ConfigureAwait(false);
    }

    /// <summary>The request's prompt and sampling settings: one choice and no stop strings (/v1/responses has
    /// neither).</summary>
    static (RunSettings, ToolUse) Settings(ResponsesRequest req, ServerState s)
    {
        var tools = ToolRequests.Read(
            ToolRequests.Flat(req.Tools),
            req.ToolChoice,
            req.ParallelToolCalls,
            s.Engine.Prompt.ToolFormat,
            c => ToolRequests.StringAt(c, "name"),
            "{\"type\": \"function\", \"name\": ...}"
        );
        Text.RenderedPrompt rendered;
        try
        {
            rendered = s.Engine.Prompt.RenderForGeneration(
                MessageJson.Element(ResponsesInput.Messages(req)),
                "input",
                tools.Variables(null)
            );
        }
        catch (PonderException e)
        {
            throw ApiException.BadRequest(e.Message, "input");
        }
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
        var run = new RunSettings
        {
            PromptIds = prompt,
            ReasoningOpen = rendered.ReasoningOpen,
            AnswerPrefix = tools.AnswerPrefix,
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
        return (run, tools);
    }
}
