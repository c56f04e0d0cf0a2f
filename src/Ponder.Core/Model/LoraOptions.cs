namespace Ponder.Model;

/// <summary>
/// Low-rank adapters (LoRA, Hu et al. 2021) as PEFT defines them: each targeted projection W (out × in) gains
/// scale·B·A with A (r × in) and B (out × r), scale = alpha / r; only A and B train. Immutable;
/// <see cref="Validate"/> says what to change.
/// </summary>
public sealed record LoraOptions
{
    /// <summary>The projections a decoder layer has, by their checkpoint names.</summary>
    public static readonly IReadOnlyList<string> AllLinear =
    [
        "q_proj",
        "k_proj",
        "v_proj",
        "o_proj",
        "gate_proj",
        "up_proj",
        "down_proj",
    ];

    /// <summary>The rank r. <value>The default value is 8 (PEFT's).</value></summary>
    public int Rank { get; init; } = 8;

    /// <summary>alpha; the update is scaled by alpha / r. <value>The default value is 16.</value></summary>
    public double Alpha { get; init; } = 16;

    /// <summary>Dropout on the adapter's input while training. <value>The default value is 0.</value></summary>
    public double Dropout { get; init; }

    /// <summary>Which projections get an adapter, by checkpoint name. <value>The default value is every linear
    /// projection of a layer (<see cref="AllLinear"/>; PEFT's "all-linear" without the output head).</value>
    /// </summary>
    public IReadOnlyList<string> Targets { get; init; } = AllLinear;

    /// <summary>Rank-stabilised scaling (rsLoRA): alpha / √r instead of alpha / r. <value>The default value is
    /// false.</value></summary>
    public bool UseRsLora { get; init; }

    public double Scale => UseRsLora ? Alpha / Math.Sqrt(Rank) : Alpha / Rank;

    /// <summary>Parses <c>q_proj,v_proj</c> or <c>all-linear</c>.</summary>
    public static IReadOnlyList<string> ParseTargets(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        if (list.Trim() == "all-linear")
            return AllLinear;
        return list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public LoraOptions Validate()
    {
        if (Rank < 1)
            throw new PonderException($"--lora-rank {Rank}: must be at least 1 (8–64 is usual).");
        if (!(Alpha > 0))
            throw new PonderException($"--lora-alpha {Alpha}: must be positive (often 2 × the rank).");
        if (Dropout is < 0 or >= 1)
            throw new PonderException($"--lora-dropout {Dropout}: use a value in [0, 1).");
        if (Targets.Count == 0)
            throw new PonderException("--lora-targets is empty: name projections, e.g. q_proj,v_proj, or all-linear.");
        string? unknown = Targets.FirstOrDefault(t => !AllLinear.Contains(t));
        if (unknown is not null)
        {
            throw new PonderException(
                $"--lora-targets: \"{unknown}\" is not a projection of a decoder layer; use some of "
                    + $"{string.Join(",", AllLinear)} or all-linear."
            );
        }

        if (Targets.Distinct().Count() != Targets.Count)
            throw new PonderException($"--lora-targets {string.Join(",", Targets)}: names a projection twice.");
        return this;
    }

    /// <summary>Same adapter shape and scaling (what a resumed run must match).</summary>
    public bool SameShape(LoraOptions other) =>
        other is not null
        && Rank == other.Rank
        && Alpha == other.Alpha
        && UseRsLora == other.UseRsLora
        && Targets.Order().SequenceEqual(other.Targets.Order());
}
