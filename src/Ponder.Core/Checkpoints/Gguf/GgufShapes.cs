using Ponder.Model;

namespace Ponder.Checkpoints.Gguf;

/// <summary>The shape config.json implies for each checkpoint tensor: llama.cpp reads shapes from the metadata, so a
/// checkpoint that disagrees with its config is refused here rather than failing to load there.</summary>
static class GgufShapes
{
    /// <summary>Checks that every tensor has its implied shape and that every layer has its required
    /// parts.</summary>
    public static void Check(ModelConfig c, IReadOnlyDictionary<string, long[]> shapes, string source)
    {
        foreach (var (name, shape) in shapes)
        {
            if (Expected(name, c) is { } want && !want.SequenceEqual(shape))
            {
                throw new PonderException(
                    $"{source}: tensor {name} has shape [{string.Join(", ", shape)}] but config.json implies "
                        + $"[{string.Join(", ", want)}]."
                );
            }
        }
        var required = new List<string> { "model.embed_tokens.weight", "model.norm.weight" };
        if (!c.TieWordEmbeddings)
            required.Add(ModelDirectory.LmHeadWeight);
        string[] parts =
        [
            "input_layernorm",
            "post_attention_layernorm",
            "mlp.gate_proj",
            "mlp.up_proj",
            "mlp.down_proj",
        ];
        string[] attention = ["q_proj", "k_proj", "v_proj", "o_proj"];
        for (int i = 0; i < c.NumHiddenLayers; i++)
        {
            required.AddRange(parts.Select(p => $"model.layers.{i}.{p}.weight"));
            required.AddRange(attention.Select(p => $"model.layers.{i}.self_attn.{p}.weight"));
        }
        string? missing = required.FirstOrDefault(n => !shapes.ContainsKey(n));
        if (missing is not null)
        {
            throw new PonderException(
                $"{source}: tensor {missing} is missing (does the checkpoint match config.json?)."
            );
        }
    }

    static long[]? Expected(string name, ModelConfig c)
    {
        long d = c.HiddenSize,
            q = (long)c.NumAttentionHeads * c.HeadDim,
            kv = (long)c.KeyValueHeads * c.HeadDim,
            f = c.IntermediateSize;
        string part = name.StartsWith("model.layers.", StringComparison.Ordinal)
            ? name[(name.IndexOf('.', "model.layers.".Length) + 1)..]
            : name;
        return part switch
        {
            "model.embed_tokens.weight" or ModelDirectory.LmHeadWeight => [c.VocabSize, d],
            "model.norm.weight" or "input_layernorm.weight" or "post_attention_layernorm.weight" => [d],
            "self_attn.q_proj.weight" => [q, d],
            "self_attn.k_proj.weight" or "self_attn.v_proj.weight" => [kv, d],
            "self_attn.o_proj.weight" => [d, q],
            "self_attn.q_proj.bias" => [q],
            "self_attn.k_proj.bias" or "self_attn.v_proj.bias" => [kv],
            "self_attn.o_proj.bias" => [d],
            "self_attn.q_norm.weight" or "self_attn.k_norm.weight" => [c.HeadDim],
            "mlp.gate_proj.weight" or "mlp.up_proj.weight" => [f, d],
            "mlp.down_proj.weight" => [d, f],
            _ => null,
        };
    }
}
