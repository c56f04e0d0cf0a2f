using Ponder.Checkpoints;
using Ponder.Model;
using static TorchSharp.torch;

namespace Ponder.Reinforcement;

/// <summary>The frozen reference policy for the KL penalty: a copy of the starting weights, never trained.</summary>
public static class ReferencePolicy
{
    public const string FileName = "reference.safetensors";

    /// <summary>A frozen copy of <paramref name="policy"/>'s current weights.</summary>
    public static CausalLM CopyOf(CausalLM policy)
    {
        var copy = new CausalLM(
            policy.Config,
            new Runtime.DeviceOptions(
                policy.Device.ToString(),
                policy.DType == ScalarType.BFloat16 ? "bfloat16" : "float32"
            )
        );
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var source = policy.state_dict();
            foreach (var (name, p) in copy.state_dict())
                p.copy_(source[name]);
        }
        Freeze(copy);
        return copy;
    }

    public static void Save(CausalLM reference, string path)
    {
        using var scope = NewDisposeScope();
        SafeTensors.Write(path, reference.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value));
    }

    /// <summary>Loads a reference saved in a checkpoint into a fresh model of the same architecture.</summary>
    public static CausalLM Load(ModelConfig config, CausalLM like, string path)
    {
        var reference = CopyOf(like);
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var weights = SafeTensors.Read(path, reference.DType, reference.Device);
            ModelDirectory.CheckKeys(reference.state_dict().Keys, weights.Keys, path, config.TieWordEmbeddings);
            foreach (var (name, p) in reference.state_dict())
                p.copy_(weights[name]);
        }
        return reference;
    }

    static void Freeze(CausalLM model)
    {
        foreach (var p in model.parameters())
            p.requires_grad = false;
        model.eval();
    }
}
