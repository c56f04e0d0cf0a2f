using System.CommandLine;
using Ponder.Generation;

namespace Ponder.Cli;

/// <summary>The sampling options of commands that sample for evaluation (eval, scale): one definition, one
/// validation.</summary>
sealed class SamplingCliOptions
{
    public Option<int> Samples { get; } =
        new("--samples") { Description = "Completions per problem.", DefaultValueFactory = _ => 1 };
    public Option<double> Temperature { get; } =
        new("--temperature") { Description = "0 for greedy.", DefaultValueFactory = _ => 0.0 };
    public Option<double> TopP { get; } =
        new("--top-p") { Description = "Nucleus mass in (0, 1].", DefaultValueFactory = _ => 1.0 };
    public Option<int> MaxTokens { get; } =
        new("--max-tokens")
        {
            Description = "Completion tokens at most (reasoning + answer).",
            DefaultValueFactory = _ => 512,
        };
    public Option<long> Seed { get; } = new("--seed") { Description = "Sampling seed.", DefaultValueFactory = _ => 0 };
    public Option<int?> MaxThinking { get; } =
        new("--max-thinking-tokens")
        {
            Description = "Thinking budget: reasoning tokens at most, then the answer (0: answer directly).",
        };
    public Option<string?> Effort { get; } =
        new("--reasoning-effort")
        {
            Description =
                "low, medium or high: a thinking budget from the model's generation_config.json (or 1/16, "
                + "1/8, 1/4 of the context).",
        };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Samples, Temperature, TopP, MaxTokens, Seed, MaxThinking, Effort })
            command.Options.Add(o);
    }

    /// <summary>The sampling options, validated: first what needs no model, then, for a local model, what its
    /// files say (the context and the effort budgets), still before its weights are loaded.</summary>
    /// <param name="modelDir">The local model; null for endpoints.</param>
    public SamplingOptions Build(ParseResult r, string? modelDir)
    {
        int? budget = r.GetValue(MaxThinking);
        string? effort = r.GetValue(Effort);
        if (effort is not null && budget is not null)
            throw new PonderException("give either --reasoning-effort or --max-thinking-tokens, not both.");
        if (effort is not null && modelDir is null)
        {
            throw new PonderException(
                "--reasoning-effort with --endpoint: the server maps effort itself; it is not supported here yet."
            );
        }

        if (r.GetValue(Samples) < 1)
            throw new PonderException($"--samples {r.GetValue(Samples)} must be at least 1.");
        var options = new SamplingOptions
        {
            N = r.GetValue(Samples),
            Temperature = r.GetValue(Temperature),
            TopP = r.GetValue(TopP),
            MaxNewTokens = r.GetValue(MaxTokens),
            Seed = r.GetValue(Seed),
            MaxThinkingTokens = budget,
        }.Validate();
        if (modelDir is null)
            return options;
        var model = ModelFacts.Read(modelDir);
        model.CheckCompletion("--max-tokens", options.MaxNewTokens);
        if (effort is not null)
            budget = ReasoningEffort.Budget(effort, model.Generation, model.Context);
        if (budget is int b && b > model.Context)
        {
            throw new PonderException(
                $"--max-thinking-tokens {b} is larger than the model's context of {model.Context} tokens."
            );
        }

        return options with
        {
            MaxThinkingTokens = budget,
        };
    }
}
