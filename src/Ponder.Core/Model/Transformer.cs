// The decoder of the Llama / Qwen2 / Qwen3 families, top to bottom: RMSNorm → rotary → attention → MLP → block →
// model. What differs per family is one row of ModelFamily (biases, Qwen3's per-head q/k norms), read here as flags.
// Module field names equal Hugging Face checkpoint keys, so state_dict() keys are safetensors names.
//
// Letter key for the shape comments:
//   B batch, T new tokens in this call, S key length (cache length after this call), C hidden size,
//   B' rows attention runs over (B, or a decode's leading cache slots),
//   H query heads, K key/value heads, G = H / K queries per kv head, D head dim, F MLP width, V vocabulary.
using Ponder.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ponder.Model;

/// <summary>Root-mean-square norm, computed in at least float32 whatever the weights' dtype (as HF does).</summary>
public sealed class RMSNorm : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly double eps;

    public RMSNorm(long size, double eps)
        : base(nameof(RMSNorm))
    {
        weight = new Parameter(ones(size));
        this.eps = eps;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var s = new Scalars();
        var xf = x.dtype is ScalarType.BFloat16 or ScalarType.Float16 ? x.to(ScalarType.Float32) : x; // (…, C)
        var normed = xf * rsqrt(xf.pow(s[2]).mean([-1], keepdim: true).Plus(s[eps])); // (…, C)
        return (weight * normed.to(x.dtype)).MoveToOuterDisposeScope();
    }
}

/// <summary>Rotary position embeddings with HF's rotate_half layout; Llama-3 frequency scaling.</summary>
public static class Rotary
{
    /// <summary>Inverse frequencies (D/2), with rope_scaling "llama3" applied when present.</summary>
    public static double[] InverseFrequencies(ModelConfig config)
    {
        int d = config.HeadDim;
        var inv = new double[d / 2];
        for (int i = 0; i < inv.Length; i++)
            inv[i] = 1.0 / Math.Pow(config.RopeTheta, 2.0 * i / d);
        if (config.RopeScaling is { Kind: "llama3" } s)
        {
            // transformers' _compute_llama3_parameters: long wavelengths divided by factor, short kept,
            // the band between smoothly interpolated.
            double lowWavelen = s.OriginalMaxPositionEmbeddings / s.LowFreqFactor;
            double highWavelen = s.OriginalMaxPositionEmbeddings / s.HighFreqFactor;
            for (int i = 0; i < inv.Length; i++)
            {
                double wavelen = 2 * Math.PI / inv[i];
                if (wavelen < highWavelen)
                    continue;
                if (wavelen > lowWavelen)
                {
                    inv[i] /= s.Factor;
                    continue;
                }
                double smooth =
                    (s.OriginalMaxPositionEmbeddings / wavelen - s.LowFreqFactor)
                    / (s.HighFreqFactor - s.LowFreqFactor);
                inv[i] = (1 - smooth) * inv[i] / s.Factor + smooth * inv[i];
            }
        }
        return inv;
    }

    /// <summary>cos and signed sin tables (L, D) for positions 0..L-1, float32: the sin table carries rotate_half's
    /// sign (−sin in the first half of D), so <see cref="Apply"/> needs no negation.</summary>
    public static (Tensor Cos, Tensor Sin) Tables(ModelConfig config, int length, Device device)
    {
        double[] inv = InverseFrequencies(config);
        int half = inv.Length,
            d = 2 * half;
        var cos = new float[length * d];
        var sin = new float[length * d];
        for (int p = 0; p < length; p++)
        {
            for (int i = 0; i < half; i++)
            {
                double angle = p * inv[i];
                float c = (float)Math.Cos(angle),
                    s = (float)Math.Sin(angle);
                cos[p * d + i] = cos[p * d + i + half] = c;
                sin[p * d + i] = -s;
                sin[p * d + i + half] = s;
            }
        }

        return (tensor(cos, [length, d], device: device), tensor(sin, [length, d], device: device));
    }

    /// <summary>x·cos + rotate_half(x)·sin, where rotate_half(x) = cat(−x₂, x₁) = roll(x, D/2)·(−1 … −1, 1 … 1) and
    /// the sign is folded into <paramref name="signedSin"/> (<see cref="Tables"/>): three ops instead of six.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor signedSin)
    {
        // x: (B, heads, T, D); cos, signedSin: (B, 1, T, D)
        using var scope = NewDisposeScope();
        var swapped = x.roll(x.shape[^1] / 2, -1); // cat(x₂, x₁): (B, heads, T, D)
        return (x * cos).addcmul_(swapped, signedSin, Scalars.One).MoveToOuterDisposeScope();
    }
}

/// <summary>Grouped-query attention with an optional KV cache; Qwen3 normalises each query and key head before the
/// rotary embedding.</summary>
public sealed class Attention : nn.Module
{
    readonly Linear q_proj,
        k_proj,
        v_proj,
        o_proj;
    readonly RMSNorm? q_norm,
        k_norm;
    readonly int heads,
        kvHeads,
        headDim;
    FusedProjection? qkv;
    readonly Dictionary<string, LoraDelta> lora; // the layer's LoRA adapters by projection name (shared with Mlp)

    internal Attention(ModelConfig c, Dictionary<string, LoraDelta> lora)
        : base(nameof(Attention))
    {
        this.lora = lora;
        heads = c.NumAttentionHeads;
        kvHeads = c.KeyValueHeads;
        headDim = c.HeadDim;
        q_proj = nn.Linear(c.HiddenSize, heads * headDim, hasBias: c.QkvBias);
        k_proj = nn.Linear(c.HiddenSize, kvHeads * headDim, hasBias: c.QkvBias);
        v_proj = nn.Linear(c.HiddenSize, kvHeads * headDim, hasBias: c.QkvBias);
        o_proj = nn.Linear(heads * headDim, c.HiddenSize, hasBias: c.OutputBias);
        if (c.Family.QkNorm)
        {
            q_norm = new RMSNorm(headDim, c.RmsNormEps);
            k_norm = new RMSNorm(headDim, c.RmsNormEps);
        }
        RegisterComponents();
    }

    /// <param name="x">(B, T, C)</param>
    /// <param name="cos">(B, 1, T, D) for the new tokens' positions</param>
    /// <param name="sin">(B, 1, T, D)</param>
    /// <param name="mask">(B', 1, T, S) bool, true = may attend; null = plain causal (T = S)</param>
    /// <param name="cache">where this pass writes and reads keys and values (null: no cache, the keys are the new
    /// tokens')</param>
    public Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, CacheStep? cache, int layer)
    {
        long b = x.shape[0],
            t = x.shape[1];
        int g = heads / kvHeads;
        var (q, k, v) = Project(x, cos, sin); // (B, H, T, D), (B, K, T, D), (B, K, T, D)
        if (cache is not null)
        {
            (k, v) = cache.Write(layer, k, v); // (B', K, S, D)
            q = cache.Queries(q); // (B', H, T, D)
        }

        // GQA without copying K/V: fold the G query heads of each kv head into the query-length axis,
        // so one SDPA call over K heads does the work. Query rows are ordered (g, t).
        long rows = q.shape[0];
        var qg = q.reshape(rows, kvHeads, g * t, headDim); // (B', K, G·T, D)
        Tensor y;
        if (mask is null)
        {
            if (g == 1)
            {
                y = nn.functional.scaled_dot_product_attention(qg, k, v, is_casual: true);
            }
            else
            {
                // is_casual would treat the G·T rows as positions; build the (T, T) causal mask and tile it.
                var causal = ones(t, t, ScalarType.Bool, x.device).tril().repeat(g, 1); // (G·T, T)
                y = nn.functional.scaled_dot_product_attention(qg, k, v, causal);
            }
        }
        else
        {
            var m = g == 1 || t == 1 ? mask : mask.repeat(1, 1, g, 1); // (B', 1, G·T or 1, S)
            y = nn.functional.scaled_dot_product_attention(qg, k, v, m);
        }
        y = y.reshape(rows, heads, t, headDim); // (B', H, T, D)
        if (cache is not null)
            y = cache.Rows(y); // (B, H, T, D)
        y = y.transpose(1, 2).reshape(b, t, heads * headDim); // (B, T, H·D)
        return Lora.Project(o_proj, "o_proj", y, lora, training); // (B, T, C)
    }

    /// <summary>Merges q/k/v into one projection for inference (<see cref="FusedProjection"/>).</summary>
    internal void Fuse() => qkv ??= FusedProjection.Over(q_proj, k_proj, v_proj);

    bool AdaptsQkv => lora.ContainsKey("q_proj") || lora.ContainsKey("k_proj") || lora.ContainsKey("v_proj");

    /// <summary>Queries, keys and values of x (B, T, C), rotated: (B, H, T, D), (B, K, T, D), (B, K, T, D).</summary>
    (Tensor Q, Tensor K, Tensor V) Project(Tensor x, Tensor cos, Tensor sin)
    {
        long b = x.shape[0],
            t = x.shape[1];
        Tensor q,
            k,
            v;
        if (qkv is { Usable: true } && !AdaptsQkv)
        {
            var all = qkv.Forward(x).view(b, t, heads + 2 * kvHeads, headDim); // (B, T, H+2K, D)
            v = all.narrow(2, heads + kvHeads, kvHeads).transpose(1, 2); // (B, K, T, D)
            if (q_norm is null)
            {
                // One rotary over the query and key heads together.
                var qk = Rotary.Apply(all.narrow(2, 0, heads + kvHeads).transpose(1, 2), cos, sin); // (B, H+K, T, D)
                return (qk.narrow(1, 0, heads), qk.narrow(1, heads, kvHeads), v);
            }
            (q, k) = (all.narrow(2, 0, heads), all.narrow(2, heads, kvHeads)); // (B, T, H, D), (B, T, K, D)
        }
        else
        {
            q = Lora.Project(q_proj, "q_proj", x, lora, training).view(b, t, heads, headDim); // (B, T, H, D)
            k = Lora.Project(k_proj, "k_proj", x, lora, training).view(b, t, kvHeads, headDim); // (B, T, K, D)
            v = Lora.Project(v_proj, "v_proj", x, lora, training).view(b, t, kvHeads, headDim).transpose(1, 2);
        }
        if (q_norm is not null)
            (q, k) = (q_norm.forward(q), k_norm!.forward(k)); // over D, per head
        return (Rotary.Apply(q.transpose(1, 2), cos, sin), Rotary.Apply(k.transpose(1, 2), cos, sin), v);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            qkv?.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>SwiGLU: down(silu(gate(x)) · up(x)).</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    readonly Linear gate_proj,
        up_proj,
        down_proj;
    FusedProjection? gateUp;
    readonly Dictionary<string, LoraDelta> lora; // the layer's LoRA adapters by projection name

    internal Mlp(ModelConfig c, Dictionary<string, LoraDelta> lora)
        : base(nameof(Mlp))
    {
        this.lora = lora;
        gate_proj = nn.Linear(c.HiddenSize, c.IntermediateSize, hasBias: c.MlpBias);
        up_proj = nn.Linear(c.HiddenSize, c.IntermediateSize, hasBias: c.MlpBias);
        down_proj = nn.Linear(c.IntermediateSize, c.HiddenSize, hasBias: c.MlpBias);
        RegisterComponents();
    }

    /// <summary>Merges gate and up into one projection for inference (<see cref="FusedProjection"/>).</summary>
    internal void Fuse() => gateUp ??= FusedProjection.Over(gate_proj, up_proj);

    public override Tensor forward(Tensor x)
    {
        Tensor hidden;
        if (gateUp is { Usable: true } && !lora.ContainsKey("gate_proj") && !lora.ContainsKey("up_proj"))
        {
            var both = gateUp.Forward(x).chunk(2, -1); // (B, T, F) × 2
            hidden = nn.functional.silu(both[0]).mul_(both[1]); // (B, T, F)
        }
        else
        {
            var gate = Lora.Project(gate_proj, "gate_proj", x, lora, training); // (B, T, F)
            hidden = nn.functional.silu(gate) * Lora.Project(up_proj, "up_proj", x, lora, training); // (B, T, F)
        }
        return Lora.Project(down_proj, "down_proj", hidden, lora, training); // (B, T, C)
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            gateUp?.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>Pre-norm block: x + attn(norm(x)), then x + mlp(norm(x)).</summary>
public sealed class DecoderLayer : nn.Module
{
    readonly Attention self_attn;
    readonly Mlp mlp;
    readonly RMSNorm input_layernorm,
        post_attention_layernorm;

    public DecoderLayer(ModelConfig c)
        : base(nameof(DecoderLayer))
    {
        self_attn = new Attention(c, Adapters);
        mlp = new Mlp(c, Adapters);
        input_layernorm = new RMSNorm(c.HiddenSize, c.RmsNormEps);
        post_attention_layernorm = new RMSNorm(c.HiddenSize, c.RmsNormEps);
        RegisterComponents();
    }

    /// <summary>LoRA adapters of this layer's projections, by checkpoint name (see <see cref="LoraAdapter"/>).
    /// </summary>
    internal Dictionary<string, LoraDelta> Adapters { get; } = [];

    internal void Fuse()
    {
        self_attn.Fuse();
        mlp.Fuse();
    }

    public Tensor forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, CacheStep? cache, int layer)
    {
        var attention = self_attn.forward(input_layernorm.forward(x), cos, sin, mask, cache, layer);
        x = x.Plus(attention); // (B, T, C)
        return x.Plus(mlp.forward(post_attention_layernorm.forward(x))); // (B, T, C)
    }
}

/// <summary>The <c>model.*</c> part of the checkpoint: embeddings, layers, final norm.</summary>
public sealed class DecoderModel : nn.Module
{
    readonly Embedding embed_tokens;
    readonly ModuleList<DecoderLayer> layers;
    readonly RMSNorm norm;

    public DecoderModel(ModelConfig c)
        : base(nameof(DecoderModel))
    {
        embed_tokens = nn.Embedding(c.VocabSize, c.HiddenSize);
        layers = nn.ModuleList(Enumerable.Range(0, c.NumHiddenLayers).Select(_ => new DecoderLayer(c)).ToArray());
        norm = new RMSNorm(c.HiddenSize, c.RmsNormEps);
        RegisterComponents();
    }

    internal Parameter EmbeddingWeight => embed_tokens.weight!;

    internal int LayerCount => layers.Count;

    /// <summary>Layer <paramref name="layer"/>'s LoRA adapters by projection name.</summary>
    internal Dictionary<string, LoraDelta> AdaptersOf(int layer) => layers[layer].Adapters;

    /// <summary>Fuses each layer's q/k/v and gate/up projections for inference (<see cref="FusedProjection"/>).
    /// </summary>
    internal void Fuse()
    {
        foreach (var layer in layers)
            layer.Fuse();
    }

    /// <summary>Training forwards keep only each layer's input and recompute the layer in the backward pass
    /// (<see cref="Recompute"/>): memory for activations falls from every layer's to one layer's, for about one more
    /// forward of compute.</summary>
    internal bool GradientCheckpointing { get; set; }

    public Tensor forward(Tensor ids, Tensor cos, Tensor sin, Tensor? mask, CacheStep? cache)
    {
        var x = embed_tokens.forward(ids); // (B, T, C)
        bool recompute = GradientCheckpointing && training && cache is null && is_grad_enabled();
        if (recompute && !x.requires_grad)
            x = x.detach().requires_grad_(true); // a frozen embedding (LoRA): the recomputed layers still need a graph
        for (int i = 0; i < layers.Count; i++)
        {
            // A layer's intermediates, and its input, are freed when it ends, not when the caller's scope does: a
            // forward holds one layer's activations at a time (autograd keeps what backward needs on its own).
            Tensor next;
            var layer = layers[i];
            using (NewDisposeScope())
            {
                next = recompute
                    ? Recompute.Apply((h, c) => layer.forward(h, c[0]!, c[1]!, c[2], null, 0), x, cos, sin, mask)
                    : layer.forward(x, cos, sin, mask, cache, i);
                next = next.MoveToOuterDisposeScope();
            }
            x.Dispose();
            x = next;
        }
        return norm.forward(x); // (B, T, C)
    }
}
