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
        var cli = new CliOptions();
        var command = new Command("generate", "Sample completions from a model.");
        cli.AddTo(command);
        command.SetAction(r => Run(io, cli, r));
        return command;
    }

    static int Run(CliOutput io, CliOptions cli, ParseResult r)
    {
        var options = new SamplingOptions
        {
            MaxNewTokens = r.GetValue(cli.MaxTokens),
            Temperature = r.GetValue(cli.Temperature),
            TopP = r.GetValue(cli.TopP),
            TopK = r.GetValue(cli.TopK),
            MinP = r.GetValue(cli.MinP),
            Seed = r.GetValue(cli.Seed),
            N = r.GetValue(cli.N),
            Stop = r.GetValue(cli.Stop) ?? [],
        }.Validate();
        string dir = r.GetValue(cli.Model)!,
            prompt = r.GetValue(cli.Prompt)!;
        var device = CommonOptions.ToDevice(r.GetValue(cli.Device)!, r.GetValue(cli.DType)!);
        string? baseDir = r.GetValue(cli.Base);
        ModelFacts.Read(dir, baseDir).CheckCompletion("--max-tokens", options.MaxNewTokens);
        using var lm = LanguageModel.Load(dir, device, baseDir);
        var chat = r.GetValue(cli.Chat) ? ChatPrompt(lm, dir, prompt) : null;
        var ids = chat?.Prompt.Ids ?? RawPrompt(lm, prompt);
        var completions = lm.CreateGenerator().Generate([ids], options);
        foreach (var c in completions)
            Print(io, c, chat, r.GetValue(cli.Json));
        return 0;
    }

    /// <summary>A rendered chat prompt and the format that split its completions.</summary>
    sealed record Chat(PromptFormat Format, RenderedPrompt Prompt);

    /// <summary>The prompt as a user turn of the model's chat template (its own, or Ponder's ChatML).</summary>
    static Chat ChatPrompt(LanguageModel lm, string modelDir, string prompt)
    {
        var format =
            lm.Prompt
            ?? throw new PonderException(
                $"{modelDir}: the model has no chat template (no chat_template in tokenizer_config.json, no "
                    + "chat_template.jinja, no ChatML thinking tokens); run without --chat."
            );
        return new Chat(format, format.RenderForGeneration([new ChatMessage(ChatRole.User, prompt)]));
    }

    /// <summary>The prompt as raw text; special tokens written in it are honoured.</summary>
    static IReadOnlyList<int> RawPrompt(LanguageModel lm, string prompt) =>
        lm.Tokenizer.Encode(prompt, allowSpecialTokens: true, addBos: lm.Tokenizer.AddsBosByDefault);

    static void Print(CliOutput io, Completion c, Chat? template, bool json)
    {
        bool chat = template is not null;
        bool reasons = template is { Prompt.ReasoningOpen: true };
        var (reasoning, answer, closed) = template is not null
            ? template.Format.SplitReasoning(c.Text, reasons)
            : ("", c.Text, false);
        int reasoningTokens = reasons
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

    sealed class CliOptions
    {
        public Option<string> Model { get; } = CommonOptions.Model();
        public Option<string?> Base { get; } = CommonOptions.Base();
        public Option<string> Prompt { get; } = new("--prompt") { Description = "The prompt text.", Required = true };
        public Option<bool> Chat { get; } =
            new("--chat")
            {
                Description = "Treat the prompt as a user turn in the chat template (the model thinks, then answers).",
            };
        public Option<int> MaxTokens { get; } =
            new("--max-tokens") { Description = "Tokens to generate at most.", DefaultValueFactory = _ => 256 };
        public Option<double> Temperature { get; } =
            new("--temperature") { Description = "0 for greedy.", DefaultValueFactory = _ => 1.0 };
        public Option<double> TopP { get; } =
            new("--top-p") { Description = "Nucleus sampling mass in (0, 1].", DefaultValueFactory = _ => 1.0 };
        public Option<int> TopK { get; } =
            new("--top-k") { Description = "Keep the K most likely tokens (0: off).", DefaultValueFactory = _ => 0 };
        public Option<double> MinP { get; } =
            new("--min-p")
            {
                Description = "Drop tokens below this share of the best token's probability (0: off).",
                DefaultValueFactory = _ => 0.0,
            };
        public Option<long?> Seed { get; } = new("--seed") { Description = "Seed for reproducible sampling." };
        public Option<int> N { get; } =
            new("--n") { Description = "Completions to sample.", DefaultValueFactory = _ => 1 };
        public Option<string[]> Stop { get; } =
            new("--stop")
            {
                Description =
                    "A string that ends a completion (repeatable); it applies to the answer when the prompt opens "
                    + "the reasoning.",
                AllowMultipleArgumentsPerToken = false,
            };
        public Option<bool> Json { get; } = CommonOptions.Json();
        public Option<string> Device { get; } = CommonOptions.Device();
        public Option<string> DType { get; } = CommonOptions.DType();

        public void AddTo(Command command)
        {
            Option[] all =
            [
                Model,
                Base,
                Prompt,
                Chat,
                MaxTokens,
                Temperature,
                TopP,
                TopK,
                MinP,
                Seed,
                N,
                Stop,
                Json,
                Device,
                DType,
            ];
            foreach (var o in all)
                command.Options.Add(o);
        }
    }
}
