using Ponder.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ponder.Model;

/// <summary>
/// A decoder-only language model of the Llama / Qwen2 family: <c>model.*</c> plus <c>lm_head</c>, which is
/// the embedding matrix itself when <c>tie_word_embeddings</c> is set (no <c>lm_head.weight</c> key then).
/// </summary>
public sealed class CausalLM : nn.Module
{
    readonly DecoderModel model;
    readonly Linear? lm_head;
    Tensor? cosTable,
        sinTable; // (L, D) float32, grown on demand; not parameters

    public CausalLM(ModelConfig config, DeviceOptions? device = null)
        : base(nameof(CausalLM))
    {
        Config = config.Validate();
        model = new DecoderModel(config);
        if (!config.TieWordEmbeddings)
            lm_head = nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false);
        RegisterComponents();
        var d = device ?? DeviceOptions.Cpu;
        this.to(d.TorchDevice).to(d.ScalarType);
        model.Fuse(); // after .to(), which replaces parameters
        Device = d.TorchDevice;
        DType = d.ScalarType;
    }

    public ModelConfig Config { get; }
    public Device Device { get; }
    public ScalarType DType { get; }

    /// <summary>Activation checkpointing per layer in training forwards (HF's gradient_checkpointing_enable): the
    /// same gradients for a fraction of the activation memory and about a third more compute. Refused with LoRA
    /// dropout, whose masks a recomputation would redraw.</summary>
    public bool GradientCheckpointing
    {
        get => model.GradientCheckpointing;
        set
        {
            if (value && Adapter is { Options.Dropout: > 0 })
            {
                throw new PonderException(
                    "--gradient-checkpointing with --lora-dropout above 0: the recomputed layers would draw other "
                        + "dropout masks; use --lora-dropout 0."
                );
            }

            model.GradientCheckpointing = value;
        }
    }

    /// <summary>The LoRA adapters attached (<see cref="AttachAdapter"/>), or null.</summary>
    public LoraAdapter? Adapter { get; private set; }

    /// <summary>Attaches fresh LoRA adapters and freezes every base weight: from here on only the adapters train.
    /// </summary>
    public LoraAdapter AttachAdapter(LoraOptions options, long seed)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Adapter is not null)
            throw new PonderException("the model already has LoRA adapters; merge or drop them before adding others.");
        foreach (var p in parameters())
            p.requires_grad = false;
        Adapter = LoraAdapter.Create(this, model, options, seed);
        return Adapter;
    }

    /// <summary>Adds each adapter's scale·B·A into its projection's weight and removes the adapters: the model then
    /// computes what it computed with them, as a plain checkpoint (PEFT's merge_and_unload). Base weights stay
    /// frozen.</summary>
    public void MergeAdapter()
    {
        if (Adapter is null)
            throw new PonderException("the model has no LoRA adapters to merge.");
        using (no_grad())
        {
            foreach (var (linear, delta) in Adapter.Deltas)
            {
                using var scope = NewDisposeScope();
                var w = linear.weight!;
                w.copy_(w.to(ScalarType.Float32).PlusInPlace(delta.Product()).to(w.dtype)); // in place: fused views too
            }
        }
        for (int layer = 0; layer < model.LayerCount; layer++)
            model.AdaptersOf(layer).Clear();
        Adapter.Dispose();
        Adapter = null;
    }

    /// <summary>Removes the adapters without merging them: the base model computes alone again (base weights stay
    /// frozen).</summary>
    public void DropAdapter()
    {
        if (Adapter is null)
            return;
        for (int layer = 0; layer < model.LayerCount; layer++)
            model.AdaptersOf(layer).Clear();
        Adapter.Dispose();
        Adapter = null;
    }

    /// <summary>HF initialisation: normal(0, 0.02) for linear and embedding weights, zero biases, unit norms.</summary>
    public void InitializeWeights(long seed, double std = 0.02)
    {
        using var _ = no_grad();
        using var s = new Scalars();
        var g = new Generator((ulong)seed, Device);
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal))
                p.fill_(s[1]);
            else if (name.EndsWith(".bias", StringComparison.Ordinal))
                p.zero_();
            else
                p.normal_(0, std, g);
        }
    }

    /// <summary>
    /// Full-sequence forward (training, scoring). <paramref name="attentionMask"/> (B, T) marks real tokens (1) and
    /// padding (0) on either side; positions count real tokens only, so padding never shifts a sequence.
    /// Returns float32 logits (B, T, V) (float64 for a float64 model).
    /// </summary>
    public Tensor Forward(Tensor ids, Tensor? attentionMask = null) => Logits(Hidden(ids, attentionMask)); // (B, T, V)

    /// <summary>
    /// The final-normed hidden states (B, T, C) of a full-sequence forward, in the model's dtype: what
    /// <see cref="Forward"/> projects to logits, and what a scalar head (a scorer) reads instead.
    /// <paramref name="attentionMask"/> as in <see cref="Forward"/>.
    /// </summary>
    public Tensor Hidden(Tensor ids, Tensor? attentionMask = null)
    {
        long b = ids.shape[0],
            t = ids.shape[1];
        using var s = new Scalars();
        Tensor positions;
        Tensor? mask = null;
        if (attentionMask is null)
        {
            positions = TensorOps.Range(t, Device).unsqueeze(0).expand(b, t); // (B, T)
        }
        else
        {
            var real = attentionMask.to(ScalarType.Bool); // (B, T)
            positions = (real.to(ScalarType.Int64).cumsum(1) - s[1]).clamp_min(s[0]); // (B, T)
            var causal = ones(t, t, ScalarType.Bool, Device).tril(); // (T, T)
            var self = eye(t, dtype: ScalarType.Bool, device: Device); // (T, T)
            mask = ((real.unsqueeze(1) & causal.unsqueeze(0)) | self.unsqueeze(0)).unsqueeze(1); // (B, 1, T, T)
        }
        var (cos, sin) = RotaryFor(positions);
        return model.forward(ids, cos, sin, mask, cache: null); // (B, T, C)
    }

    /// <summary>
    /// Forward over packed rows: several sequences per row, told apart by <paramref name="segments"/> (B, T) int64
    /// (equal ids = one sequence, 0 = padding). Each sequence has its own <paramref name="positions"/> (B, T) and
    /// attends only within itself, so its logits equal those of an unpacked forward. Returns (B, T, V).
    /// </summary>
    public Tensor ForwardPacked(Tensor ids, Tensor positions, Tensor segments)
    {
        long t = ids.shape[1];
        var same = segments.unsqueeze(2).eq(segments.unsqueeze(1)); // (B, T, T)
        var causal = ones(t, t, ScalarType.Bool, Device).tril(); // (T, T)
        var self = eye(t, dtype: ScalarType.Bool, device: Device); // (T, T)
        var mask = ((same & causal.unsqueeze(0)) | self.unsqueeze(0)).unsqueeze(1); // (B, 1, T, T)
        var (cos, sin) = RotaryFor(positions);
        return Logits(model.forward(ids, cos, sin, mask, cache: null)); // (B, T, V)
    }

    /// <summary>
    /// Feeds <paramref name="ids"/> (1, T) — a prompt, or one chunk of it — into <paramref name="slot"/> of
    /// <paramref name="cache"/> at columns <paramref name="start"/> … start+T−1 (rotary positions equal columns), after
    /// what the slot holds before <paramref name="start"/>. Returns the next-token logits after the last token (1, V).
    /// </summary>
    public Tensor Prefill(Tensor ids, SlotCache cache, int slot, int start)
    {
        int t = (int)ids.shape[1];
        var step = CacheStep.Prefill(cache, slot, start, t, Device);
        var (cos, sin) = RotaryFor(TensorOps.Range(start, start + t, Device).unsqueeze(0), start + t); // (1, 1, T, D)
        var x = model.forward(ids, cos, sin, step.Mask, step); // (1, T, C)
        return Logits(x.narrow(1, t - 1, 1)).squeeze(1); // (1, V)
    }

    /// <summary>
    /// One decode step: token <paramref name="tokens"/>[i] (B) of the sequence in slot <paramref name="slots"/>[i]
    /// goes to column <paramref name="columns"/>[i], after the columns before it. Rows are independent: each gets the
    /// logits it would get alone. Returns (B, V).
    /// </summary>
    public Tensor Decode(Tensor tokens, SlotCache cache, IReadOnlyList<int> slots, IReadOnlyList<int> columns)
    {
        var step = CacheStep.Decode(cache, slots, columns, Device);
        var positions = tensor(columns.Select(c => (long)c).ToArray(), device: Device).unsqueeze(1); // (B, 1)
        var (cos, sin) = RotaryFor(positions, step.KeyLength); // (B, 1, 1, D)
        var x = model.forward(tokens.view(-1, 1), cos, sin, step.Mask, step); // (B, 1, C)
        return Logits(x).squeeze(1); // (B, V)
    }

    /// <summary>An empty cache of <paramref name="slots"/> sequences of <paramref name="capacity"/> tokens in this
    /// model's dtype and device.</summary>
    public SlotCache NewCache(int slots, int capacity) => new(Config, slots, capacity, DType, Device);

    /// <summary>Logits (B, T, V) of final-normed hidden states (B, T, C) from <see cref="Hidden"/>: the output
    /// projection, widened to float32 when the model computes in half precision.</summary>
    public Tensor Logits(Tensor x)
    {
        var logits = lm_head is not null ? lm_head.forward(x) : x.matmul(model.EmbeddingWeight.t()); // (B, T, V)
        // Half-precision logits are widened for the softmax; float64 (gradient checks) stays float64.
        return logits.dtype is ScalarType.BFloat16 or ScalarType.Float16 ? logits.to(ScalarType.Float32) : logits;
    }

    (Tensor Cos, Tensor Sin) RotaryFor(Tensor positions) =>
        RotaryFor(positions, positions.numel() == 0 ? 1 : positions.max().item<long>() + 1);

    /// <summary>cos and sin (B, 1, T, D) at <paramref name="positions"/> (B, T), all below
    /// <paramref name="needed"/> (known to the caller, so no read back from the device).</summary>
    (Tensor Cos, Tensor Sin) RotaryFor(Tensor positions, long needed)
    {
        if (cosTable is null || cosTable.shape[0] < needed)
        {
            cosTable?.Dispose();
            sinTable?.Dispose();
            int length = (int)Math.Max(needed, Math.Min(Config.MaxPositionEmbeddings, 4096));
            var (c, s) = Rotary.Tables(Config, length, Device);
            cosTable = c.DetachFromDisposeScope();
            sinTable = s.DetachFromDisposeScope();
        }
        long b = positions.shape[0],
            t = positions.shape[1];
        var flat = positions.reshape(-1);
        var cos = cosTable.index_select(0, flat).view(b, 1, t, -1).to(DType); // (B, 1, T, D)
        var sin = sinTable!.index_select(0, flat).view(b, 1, t, -1).to(DType); // (B, 1, T, D)
        return (cos, sin);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Adapter?.Dispose();
            cosTable?.Dispose();
            sinTable?.Dispose();
        }
        base.Dispose(disposing);
    }
}
