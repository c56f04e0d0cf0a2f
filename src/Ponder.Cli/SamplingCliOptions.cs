using System.CommandLine;
using Ponder.Generation;
using Ponder.LanguageModels;

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

    /// <param name="model">The local model, for effort budgets and the context check; null for endpoints.</param>
    public SamplingOptions Build(ParseResult r, LanguageModel? model)
    {
        int? budget = r.GetValue(MaxThinking);
        if (r.GetValue(Effort) is { } effort)
        {
            if (budget is not null)
                throw new PonderException("give either --reasoning-effort or --max-thinking-tokens, not both.");
            if (model is null)
            {
                throw new PonderException(
                    "--reasoning-effort with --endpoint: the server maps effort itself; it is not supported here yet."
                );
            }

            budget = ReasoningEffort.Budget(effort, model.Generation, model.Config.MaxPositionEmbeddings);
        }
        if (budget is int b && model is not null && b > model.Config.MaxPositionEmbeddings)
        {
            throw new PonderException(
                $"--max-thinking-tokens {b} is larger than the model's context of "
                    + $"{model.Config.MaxPositionEmbeddings} tokens."
            );
        }

        if (r.GetValue(Samples) < 1)
            throw new PonderException($"--samples {r.GetValue(Samples)} must be at least 1.");
        return new SamplingOptions
        {
            N = r.GetValue(Samples),
            Temperature = r.GetValue(Temperature),
            TopP = r.GetValue(TopP),
            MaxNewTokens = r.GetValue(MaxTokens),
            Seed = r.GetValue(Seed),
            MaxThinkingTokens = budget,
        }.Validate();
    }
}
