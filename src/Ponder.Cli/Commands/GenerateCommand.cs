using System.CommandLine;
using System.Text.Json;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Text;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder generate</c>: sample completions of one prompt (raw text, or a user turn with --chat).</summary>
static class GenerateCommand
{
    public static Command Create(CliOutput io)
    {
        var model = CommonOptions.Model();
        var prompt = new Option<string>("--prompt") { Description = "The prompt text.", Required = true };
        var chat = new Option<bool>("--chat")
        {
            Description = "Treat the prompt as a user turn in the chat template (the model thinks, then answers).",
        };
        var maxTokens = new Option<int>("--max-tokens")
        {
            Description = "Tokens to generate at most.",
            DefaultValueFactory = _ => 256,
        };
        var temperature = new Option<double>("--temperature")
        {
            Description = "0 for greedy.",
            DefaultValueFactory = _ => 1.0,
        };
        var topP = new Option<double>("--top-p")
        {
            Description = "Nucleus sampling mass in (0, 1].",
            DefaultValueFactory = _ => 1.0,
        };
        var topK = new Option<int>("--top-k")
        {
            Description = "Keep the K most likely tokens (0: off).",
            DefaultValueFactory = _ => 0,
        };
        var seed = new Option<long?>("--seed") { Description = "Seed for reproducible sampling." };
        var n = new Option<int>("--n") { Description = "Completions to sample.", DefaultValueFactory = _ => 1 };
        var stop = new Option<string[]>("--stop")
        {
            Description = "A string that ends a completion (repeatable).",
            AllowMultipleArgumentsPerToken = false,
        };
        var json = CommonOptions.Json();
        var device = CommonOptions.Device();
        var dtype = CommonOptions.DType();
        var command = new Command("generate", "Sample completions from a model.")
        {
            model,
            prompt,
            chat,
            maxTokens,
            temperature,
            topP,
            topK,
            seed,
            n,
            stop,
            json,
            device,
            dtype,
        };
        command.SetAction(r =>
        {
            var options = new SamplingOptions
            {
                MaxNewTokens = r.GetValue(maxTokens),
                Temperature = r.GetValue(temperature),
                TopP = r.GetValue(topP),
                TopK = r.GetValue(topK),
                Seed = r.GetValue(seed),
                N = r.GetValue(n),
                Stop = r.GetValue(stop) ?? [],
            }.Validate();
            using var lm = LanguageModel.Load(
                r.GetValue(model)!,
                CommonOptions.ToDevice(r.GetValue(device)!, r.GetValue(dtype)!)
            );
            bool asChat = r.GetValue(chat);
            IReadOnlyList<int> ids;
            if (asChat)
            {
                var template =
                    lm.Chat
                    ?? throw new PonderException(
                        $"{r.GetValue(model)}: the tokenizer lacks the ChatML thinking tokens (<|im_start|>, "
                            + "<|im_end|>, <think>, </think>); run without --chat."
                    );
                ids = template.Render([new ChatMessage(ChatRole.User, r.GetValue(prompt)!)]).Ids;
            }
            else
            {
                ids = lm.Tokenizer.Encode(
                    r.GetValue(prompt)!,
                    allowSpecialTokens: true,
                    addBos: lm.Tokenizer.AddsBosByDefault
                );
            }
            var completions = lm.CreateGenerator().Generate([ids], options);
            foreach (var c in completions)
                Print(io, c, asChat, r.GetValue(json));
            return 0;
        });
        return command;
    }

    static void Print(CliOutput io, Completion c, bool chat, bool json)
    {
        var (reasoning, answer, closed) = chat ? ChatTemplate.SplitReasoning(c.Text) : ("", c.Text, false);
        int reasoningTokens = chat
            ? c.ReasoningEnd is int e
                ? e + 1
                : c.TokenIds.Count
            : 0;
        if (json)
        {
            var line = new Dictionary<string, object?>
            {
                ["index"] = c.SampleIndex,
                ["prompt_token_ids"] = c.PromptIds,
                ["token_ids"] = c.TokenIds,
                ["logprobs"] = c.Logprobs,
                ["text"] = c.Text,
                ["finish_reason"] = c.FinishReasonText,
                ["reasoning_end"] = c.ReasoningEnd,
                ["reasoning_tokens"] = reasoningTokens,
                ["completion_tokens"] = c.TokenIds.Count,
            };
            if (chat)
            {
                line["reasoning"] = reasoning;
                line["answer"] = closed ? answer : null;
            }
            io.Out.WriteLine(CliJson.Line(line));
            return;
        }
        io.Console.MarkupLine(
            $"[grey]── completion {c.SampleIndex} · {c.TokenIds.Count} tokens · finish {c.FinishReasonText} ──[/]"
        );
        if (chat)
        {
            io.Console.MarkupLine(
                $"[grey]thinking ({reasoningTokens} tokens{(closed ? "" : ", not closed")}):[/] "
                    + $"[dim]{Markup.Escape(reasoning)}[/]"
            );
            io.Console.WriteLine(closed ? answer : "");
        }
        else
        {
            io.Console.WriteLine(c.Text);
        }
    }
}
