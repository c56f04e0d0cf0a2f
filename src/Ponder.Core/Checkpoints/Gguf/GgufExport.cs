using Ponder.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Ponder.Checkpoints.Gguf;

/// <summary>
/// Writes a Hugging Face-layout model as one GGUF file that llama.cpp (and Ollama, LM Studio) load: the family's
/// hyperparameters, the tokenizer and chat template, and every tensor under its llama.cpp name, matrices in the chosen
/// type and 1-D tensors (norms, biases) in float32. The file is written atomically.
/// </summary>
public static class GgufExport
{
    /// <summary>Exports the model directory <paramref name="dir"/> to <paramref name="outPath"/>.</summary>
    public static void FromDirectory(string dir, string outPath, GgufType type)
    {
        CheckOutput(outPath);
        var config = ModelDirectory.LoadConfig(dir);
        var family = GgufFamily.For(config, Path.Combine(dir, ModelDirectory.ConfigFile));
        var vocabulary = GgufVocabulary.FromDirectory(dir, config);
        var tensors = ModelDirectory.LoadWeights(dir, ScalarType.Float32);
        try
        {
            string name = Path.GetFileName(Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar));
            Write(outPath, config, tensors, vocabulary, type, name, family);
        }
        finally
        {
            foreach (var t in tensors.Values)
                t.Dispose();
        }
    }

    /// <summary>Writes <paramref name="tensors"/> (checkpoint names, as <c>state_dict()</c> gives them) with
    /// <paramref name="config"/> and <paramref name="vocabulary"/> to <paramref name="outPath"/>.</summary>
    public static void Write(
        string outPath,
        ModelConfig config,
        IReadOnlyDictionary<string, Tensor> tensors,
        GgufVocabulary vocabulary,
        GgufType type,
        string name,
        GgufFamily? family = null
    )
    {
        ArgumentNullException.ThrowIfNull(tensors);
        CheckOutput(outPath);
        family ??= GgufFamily.For(config, "config.json");
        GgufShapes.Check(config, tensors.ToDictionary(kv => kv.Key, kv => kv.Value.shape), name);
        var writer = new GgufWriter();
        GgufMetadata.Add(writer, config, family, vocabulary, type, name);
        AddTensors(writer, config, family, tensors, type);
        try
        {
            AtomicFile.Write(outPath, writer.Write);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PonderException($"--out {outPath}: cannot write the GGUF file ({e.Message}).", e);
        }
    }

    /// <summary>An output path that is a folder, or whose folder cannot be written, is refused before any
    /// work.</summary>
    public static void CheckOutput(string outPath)
    {
        if (Directory.Exists(outPath))
            throw new PonderException($"--out {outPath}: is a directory; give a file name such as model.gguf.");
        string folder = Path.GetDirectoryName(Path.GetFullPath(outPath)) ?? ".";
        if (File.Exists(folder))
            throw new PonderException($"--out {outPath}: {folder} is a file, not a directory.");
        try
        {
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, $".ponder-write-test-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PonderException($"--out {outPath}: the folder {folder} is not writable ({e.Message}).", e);
        }
    }

    static void AddTensors(
        GgufWriter writer,
        ModelConfig config,
        GgufFamily family,
        IReadOnlyDictionary<string, Tensor> tensors,
        GgufType type
    )
    {
        foreach (var (key, tensor) in tensors.OrderBy(kv => Order(kv.Key), StringComparer.Ordinal))
        {
            if (key == ModelDirectory.LmHeadWeight && config.TieWordEmbeddings)
                continue; // llama.cpp reuses token_embd when output.weight is absent
            string ggufName =
                family.TensorName(key)
                ?? throw new PonderException(
                    $"tensor {key} has no place in llama.cpp's {family.Arch} architecture; the GGUF cannot express "
                        + "this model."
                );
            long[] shape = tensor.shape;
            var stored = shape.Length < 2 ? GgufType.F32 : StoredType(type, shape[^1]);
            int? heads = family.PermuteHeads(key, config);
            writer.AddTensor(ggufName, shape, stored, s => WriteTensor(s, tensor, stored, heads));
        }
        if (family.RopeFreqs && config.RopeScaling is { Kind: "llama3" })
        {
            float[] factors = RopeFactors(config);
            writer.AddTensor(
                "rope_freqs.weight",
                [factors.Length],
                GgufType.F32,
                s => WriteRows(s, factors, GgufType.F32)
            );
        }
    }

    /// <summary>Embeddings first, then layers in numeric order, as llama.cpp's converter writes them.</summary>
    static string Order(string key) =>
        key.StartsWith("model.layers.", StringComparison.Ordinal)
            ? "1" + int.Parse(key.Split('.')[2], System.Globalization.CultureInfo.InvariantCulture).ToString("D6") + key
            : (key.StartsWith("model.embed", StringComparison.Ordinal) ? "0" : "2") + key;

    /// <summary>Q8_0 needs rows that are whole blocks; other rows fall back to float16 (as gguf-py does).</summary>
    static GgufType StoredType(GgufType type, long columns) =>
        type == GgufType.Q8 && columns % GgufTypes.Q8Block != 0 ? GgufType.F16 : type;

    static void WriteTensor(Stream stream, Tensor tensor, GgufType type, int? heads)
    {
        float[] values;
        using (var scope = NewDisposeScope())
        {
            var t = tensor.detach().to(ScalarType.Float32, CPU);
            if (heads is int h)
                t = PermuteForInterleavedRope(t, h);
            values = t.contiguous().data<float>().ToArray();
        }
        WriteRows(stream, values, type);
    }

    /// <summary>Reorders q/k rows (or bias entries) within each head from rotate-half pairs (i, i + D/2) to adjacent
    /// pairs (2i, 2i + 1): <c>w.reshape(heads, 2, D/2, …).transpose(1, 2).reshape(w.shape)</c>.</summary>
    public static Tensor PermuteForInterleavedRope(Tensor w, int heads)
    {
        ArgumentNullException.ThrowIfNull(w);
        long rows = w.shape[0];
        long[] rest = w.shape[1..];
        return w.reshape([heads, 2, rows / heads / 2, .. rest]).transpose(1, 2).reshape(w.shape); // (rows, …)
    }

    static void WriteRows(Stream stream, float[] values, GgufType type)
    {
        // Chunks of whole Q8_0 blocks keep the byte buffer small for large embedding tables.
        const int chunk = 1 << 20;
        var buffer = new byte[GgufTypes.RowBytes(type, chunk)];
        for (int start = 0; start < values.Length; start += chunk)
        {
            int n = Math.Min(chunk, values.Length - start);
            int bytes = (int)GgufTypes.RowBytes(type, n);
            GgufQuant.Encode(values.AsSpan(start, n), type, buffer.AsSpan(0, bytes));
            stream.Write(buffer, 0, bytes);
        }
    }

    /// <summary>Llama-3's per-frequency divisors: the unscaled inverse frequency over the scaled one.</summary>
    static float[] RopeFactors(ModelConfig config)
    {
        double[] scaled = Rotary.InverseFrequencies(config);
        double[] plain = Rotary.InverseFrequencies(config with { RopeScaling = null });
        return plain.Select((p, i) => (float)(p / scaled[i])).ToArray();
    }
}
