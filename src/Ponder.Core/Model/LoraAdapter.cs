using Ponder.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ponder.Model;

/// <summary>A projection with its LoRA adapter, when it has an active one.</summary>
static class Lora
{
    /// <summary>linear(x), plus the adapter named <paramref name="name"/> in <paramref name="adapters"/> if any.
    /// </summary>
    public static Tensor Project(
        Linear linear,
        string name,
        Tensor x,
        Dictionary<string, LoraDelta> adapters,
        bool training
    )
    {
        var y = linear.forward(x); // (…, out)
        return adapters.TryGetValue(name, out var delta) && delta.Active ? y.Plus(delta.Forward(x, training)) : y;
    }
}

/// <summary>One projection's adapter: x ↦ scale · B(A(dropout(x))), added to the frozen projection's output.
/// </summary>
sealed class LoraDelta
{
    readonly LoraAdapter owner;

    public LoraDelta(LoraAdapter owner, Parameter a, Parameter b) => (this.owner, A, B) = (owner, a, b);

    /// <summary>(r, in)</summary>
    public Parameter A { get; }

    /// <summary>(out, r)</summary>
    public Parameter B { get; }

    public bool Active => owner.Enabled;

    /// <summary>x (…, in) → (…, out).</summary>
    public Tensor Forward(Tensor x, bool training)
    {
        using var s = new Scalars();
        double p = owner.Options.Dropout;
        if (training && p > 0 && is_grad_enabled())
        {
            // Inverted dropout from the adapter's own generator, so a resumed run redraws the same masks.
            var keep = empty_like(x).bernoulli_(1 - p, owner.DropoutGenerator).div_(s[1 - p]); // (…, in)
            x = x * keep;
        }
        var low = nn.functional.linear(x, A); // (…, r)
        return nn.functional.linear(low, B).mul(s[owner.Options.Scale]); // (…, out)
    }

    /// <summary>scale · B · A (out, in), in float32.</summary>
    public Tensor Product()
    {
        using var s = new Scalars();
        return B.to(ScalarType.Float32).matmul(A.to(ScalarType.Float32)).mul(s[owner.Options.Scale]); // (out, in)
    }
}

/// <summary>
/// The LoRA adapters of a <see cref="CausalLM"/>: one <see cref="LoraDelta"/> per targeted projection per layer,
/// named as PEFT saves them (<c>base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight</c>). The adapter
/// weights are not module parameters, so the model's <c>state_dict()</c> stays the base checkpoint's; the optimizer
/// takes <see cref="Parameters"/>. A is drawn as PEFT draws it (Kaiming-uniform with a = √5, i.e. U(±1/√in)) and
/// B starts at zero, so a fresh adapter leaves the model's outputs exactly as they were.
/// </summary>
public sealed class LoraAdapter : IDisposable
{
    /// <summary>What PEFT puts before a base-model parameter's name.</summary>
    public const string KeyPrefix = "base_model.model.";

    readonly List<(string Name, Parameter Param)> parameters = [];
    readonly List<(Linear Linear, LoraDelta Delta)> deltas = [];
    readonly Generator dropoutGenerator;
    readonly long seed;

    LoraAdapter(LoraOptions options, long seed, Device device)
    {
        Options = options.Validate();
        this.seed = seed;
        dropoutGenerator = new Generator((ulong)seed, device);
    }

    public LoraOptions Options { get; }

    /// <summary>Off: the model computes as its base (a reference policy that costs no second copy).</summary>
    public bool Enabled { get; private set; } = true;

    internal Generator DropoutGenerator => dropoutGenerator;

    /// <summary>The adapter weights by PEFT key, in layer and target order.</summary>
    public IReadOnlyList<(string Name, Parameter Param)> Parameters => parameters;

    /// <summary>Adapter parameters in all (what a memory estimate counts).</summary>
    public long ParameterCount => parameters.Sum(p => p.Param.numel());

    /// <summary>Attaches fresh adapters to every targeted projection of <paramref name="model"/>.</summary>
    internal static LoraAdapter Create(CausalLM model, DecoderModel decoder, LoraOptions options, long seed)
    {
        var adapter = new LoraAdapter(options, seed, model.Device);
        var init = new Generator((ulong)seed, model.Device);
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        using var _ = no_grad();
        for (int layer = 0; layer < decoder.LayerCount; layer++)
        {
            foreach (string target in LoraOptions.AllLinear.Where(options.Targets.Contains))
            {
                string module = ModuleOf(target);
                var linear = (Linear)modules[$"model.layers.{layer}.{module}.{target}"];
                long outDim = linear.weight!.shape[0],
                    inDim = linear.weight.shape[1];
                var a = empty(options.Rank, inDim, dtype: model.DType, device: model.Device);
                a.uniform_(-1 / Math.Sqrt(inDim), 1 / Math.Sqrt(inDim), init);
                var b = zeros(outDim, options.Rank, dtype: model.DType, device: model.Device);
                var delta = new LoraDelta(adapter, new Parameter(a, true), new Parameter(b, true));
                string stem = $"{KeyPrefix}model.layers.{layer}.{module}.{target}";
                adapter.parameters.Add((stem + ".lora_A.weight", delta.A));
                adapter.parameters.Add((stem + ".lora_B.weight", delta.B));
                decoder.AdaptersOf(layer)[target] = delta;
                adapter.deltas.Add((linear, delta));
            }
        }
        return adapter;
    }

    /// <summary>self_attn or mlp: the module of a layer that holds <paramref name="target"/>.</summary>
    public static string ModuleOf(string target) =>
        target is "q_proj" or "k_proj" or "v_proj" or "o_proj" ? "self_attn" : "mlp";

    /// <summary>Each adapted projection with its adapter, in layer and target order.</summary>
    internal IReadOnlyList<(Linear Linear, LoraDelta Delta)> Deltas => deltas;

    /// <summary>Replaces the adapter weights with <paramref name="weights"/> (PEFT keys); every key must be there with
    /// its shape.</summary>
    public void Load(IReadOnlyDictionary<string, Tensor> weights, string source)
    {
        ArgumentNullException.ThrowIfNull(weights);
        foreach (var (name, p) in parameters) // every check before the first copy: a refused load changes nothing
        {
            if (!weights.TryGetValue(name, out var w))
            {
                throw new PonderException(
                    $"{source}: tensor {name} is missing; the adapter's target_modules or r in adapter_config.json "
                        + "do not match its weights."
                );
            }

            if (!w.shape.SequenceEqual(p.shape))
            {
                throw new PonderException(
                    $"{source}: tensor {name} has shape [{string.Join(", ", w.shape)}], expected "
                        + $"[{string.Join(", ", p.shape)}] (r {Options.Rank} and the base model's width)."
                );
            }
        }
        string? extra = weights.Keys.FirstOrDefault(k => !parameters.Any(p => p.Name == k));
        if (extra is not null)
        {
            throw new PonderException(
                $"{source}: tensor {extra} is not one of this adapter's (layers × {string.Join(",", Options.Targets)})."
            );
        }

        using var _ = no_grad();
        foreach (var (name, p) in parameters)
            p.copy_(weights[name]);
    }

    /// <summary>Runs the base model alone until the result is disposed.</summary>
    public IDisposable Disable()
    {
        Enabled = false;
        return new Restore(this);
    }

    /// <summary>Dropout masks from here on are those of <paramref name="step"/> whatever came before (exact resume).
    /// </summary>
    public void Reseed(long runSeed, long step) => dropoutGenerator.manual_seed(runSeed * 1_000_003 + step);

    sealed class Restore(LoraAdapter adapter) : IDisposable
    {
        public void Dispose() => adapter.Enabled = true;
    }

    public void Dispose()
    {
        foreach (var (_, p) in parameters)
            p.Dispose();
        dropoutGenerator.Dispose();
    }
}
