using System.CommandLine;
using Ponder.Model;

namespace Ponder.Cli;

/// <summary>The LoRA options of the training commands (<c>--lora-rank</c> turns LoRA on) and <c>--base</c>, the base
/// model of an adapter given as <c>--model</c>. Defaults are <see cref="LoraOptions"/>'s.</summary>
sealed class LoraCliOptions
{
    static readonly LoraOptions Defaults = new();

    public Option<int?> Rank { get; } =
        new("--lora-rank")
        {
            Description = "Train LoRA adapters of this rank instead of every weight (saved in PEFT's format).",
        };
    public Option<double> Alpha { get; } =
        new("--lora-alpha")
        {
            Description = "LoRA alpha; the adapters' update is scaled by alpha / rank.",
            DefaultValueFactory = _ => Defaults.Alpha,
        };
    public Option<double> Dropout { get; } =
        new("--lora-dropout")
        {
            Description = "Dropout on the adapters' input while training.",
            DefaultValueFactory = _ => Defaults.Dropout,
        };
    public Option<string> Targets { get; } =
        new("--lora-targets")
        {
            Description = "Projections that get adapters (comma-separated checkpoint names, or all-linear).",
            DefaultValueFactory = _ => "all-linear",
        };
    public Option<string?> Base { get; } = CommonOptions.Base();

    public void AddTo(Command command)
    {
        foreach (Option o in new Option[] { Rank, Alpha, Dropout, Targets, Base })
            command.Options.Add(o);
    }

    /// <summary>The adapters asked for, validated; null without <c>--lora-rank</c> (full fine-tuning, or continuing
    /// the adapter a model folder already has).</summary>
    public LoraOptions? Build(ParseResult r)
    {
        if (r.GetValue(Rank) is not { } rank)
        {
            string? stray = new Option[] { Alpha, Dropout, Targets }
                .Where(o => r.GetResult(o) is { Implicit: false })
                .Select(o => o.Name)
                .FirstOrDefault();
            if (stray is not null)
                throw new PonderException($"{stray} is set but --lora-rank is not: add --lora-rank R to train LoRA.");
            return null;
        }
        return new LoraOptions
        {
            Rank = rank,
            Alpha = r.GetValue(Alpha),
            Dropout = r.GetValue(Dropout),
            Targets = LoraOptions.ParseTargets(r.GetValue(Targets)!),
        }.Validate();
    }
}
