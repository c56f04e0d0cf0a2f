using System.Text.Json;
using Ponder.Checkpoints;
using Ponder.Generation;
using Ponder.Model;
using Ponder.Runtime;
using Ponder.Text;
using static TorchSharp.torch;

namespace Ponder.LanguageModels;

/// <summary>
/// A model directory in memory: the network, its tokenizer and its generation defaults, loaded from and saved to
/// the Hugging Face layout. Owns the network's native memory: dispose it.
/// </summary>
public sealed class LanguageModel : IDisposable
{
    LanguageModel(CausalLM network, TextTokenizer tokenizer, GenerationConfig generation)
    {
        Network = network;
        Tokenizer = tokenizer;
        Generation = generation;
        Chat =
            tokenizer.TokenToId(ChatTemplate.ImStart) is not null
            && tokenizer.TokenToId(ChatTemplate.ThinkEnd) is not null
                ? new ChatTemplate(tokenizer)
                : null;
        prompt = new Lazy<PromptFormat?>(() => PromptFormat.For(tokenizer));
    }

    readonly Lazy<PromptFormat?> prompt;

    public CausalLM Network { get; }
    public ModelConfig Config => Network.Config;

    /// <summary>The folder the base weights were loaded from (what a saved adapter names as its base), or null for a
    /// model made in memory.</summary>
    public string? BaseDirectory { get; private init; }

    /// <summary>Attaches fresh LoRA adapters (<see cref="CausalLM.AttachAdapter"/>): training then updates only
    /// them, and <see cref="Save"/> writes an adapter folder over <see cref="BaseDirectory"/>.</summary>
    public LoraAdapter AttachAdapter(LoraOptions options, long seed) => Network.AttachAdapter(options, seed);

    /// <summary>What an optimizer updates: the adapters when attached, else every weight (named as saved).</summary>
    public IEnumerable<(string Name, TorchSharp.Modules.Parameter Param)> TrainableParameters() =>
        Network.Adapter is { } adapter
            ? adapter.Parameters
            : Network.named_parameters().Select(p => (p.name, p.parameter));

    public TextTokenizer Tokenizer { get; }
    public GenerationConfig Generation { get; }

    /// <summary>The ChatML thinking template, or null when the tokenizer lacks its control tokens. Training renders
    /// through it (it knows which tokens are the assistant's).</summary>
    public ChatTemplate? Chat { get; }

    /// <summary>How prompts are rendered for generation: the checkpoint's own chat template when it has one (and it
    /// is not Ponder's ChatML), else <see cref="Chat"/>; null when the model has neither. Parsed on first
    /// use.</summary>
    /// <exception cref="PonderException">The checkpoint's template uses a construct the interpreter lacks.</exception>
    public PromptFormat? Prompt => prompt.Value;

    /// <summary>Ids that end a completion: EOS from generation_config.json, config.json and the tokenizer, and the
    /// end-of-turn token of the chat template.</summary>
    public IReadOnlyList<int> StopTokenIds =>
        Generation
            .EosTokenIds.Concat(Config.EosTokenIds)
            .Concat(Tokenizer.EosTokenId is int e ? [e] : [])
            .Concat(Chat is not null ? [Chat.EndOfTurnId] : [])
            .Concat(PromptEndOfTurn())
            .Distinct()
            .Order()
            .ToArray();

    IReadOnlyList<int> PromptEndOfTurn()
    {
        try
        {
            return Prompt?.EndOfTurnIds ?? [];
        }
        catch (PonderException)
        {
            // A template the interpreter cannot read does not stop training or plain generation; rendering with it
            // reports the error.
            return [];
        }
    }

    public BatchGenerator CreateGenerator() => new(Network, Tokenizer, StopTokenIds);

    /// <summary>A randomly initialised model with the byte-level tokenizer (for training from scratch).</summary>
    public static LanguageModel CreateFromScratch(string preset, string arch, long seed, DeviceOptions? device = null)
    {
        var tokenizer = TextTokenizer.CreateByteLevel();
        var config = Presets.Get(preset, arch, tokenizer.VocabSize) with
        {
            BosTokenId = tokenizer.TokenToId("<|endoftext|>"),
            EosTokenIdRaw = JsonSerializer.SerializeToElement(tokenizer.TokenToId(ChatTemplate.ImEnd)),
        };
        var network = new CausalLM(config, device);
        network.InitializeWeights(seed);
        var generation = new GenerationConfig
        {
            BosTokenId = config.BosTokenId,
            PadTokenId = tokenizer.PadTokenId,
            Temperature = 1.0,
            TopP = 1.0,
        }.WithEosTokenIds([
            tokenizer.TokenToId(ChatTemplate.ImEnd)!.Value,
            tokenizer.TokenToId("<|endoftext|>")!.Value,
        ]);
        return new LanguageModel(network, tokenizer, generation);
    }

    /// <summary>
    /// Random weights at the shape of <paramref name="config"/> (a real checkpoint's config.json, for tests and
    /// benchmarks at real shapes). With <paramref name="tokenizer"/> null the byte-level tokenizer is used and the
    /// config's bos/eos ids are replaced by its own (the real ones name tokens it does not have); the vocabulary rows
    /// beyond it are never chosen.
    /// </summary>
    public static LanguageModel CreateFromConfig(
        ModelConfig config,
        long seed,
        TextTokenizer? tokenizer = null,
        DeviceOptions? device = null
    )
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var tok = tokenizer ?? TextTokenizer.CreateByteLevel();
        if (tok.VocabSize > config.VocabSize)
        {
            throw new PonderException(
                $"the tokenizer has {tok.VocabSize} tokens but config.json's vocab_size is {config.VocabSize}: use a "
                    + "config with room for every token."
            );
        }

        if (tokenizer is null)
        {
            config = config with
            {
                BosTokenId = tok.TokenToId("<|endoftext|>"),
                EosTokenIdRaw = JsonSerializer.SerializeToElement(tok.TokenToId(ChatTemplate.ImEnd)),
            };
        }
        var network = new CausalLM(config, device);
        network.InitializeWeights(seed);
        var generation = new GenerationConfig
        {
            BosTokenId = config.BosTokenId,
            PadTokenId = tok.PadTokenId,
        }.WithEosTokenIds(config.EosTokenIds);
        return new LanguageModel(network, tok, generation);
    }

    /// <summary>Loads a Hugging Face model directory, or a PEFT LoRA adapter directory over its base model
    /// (<paramref name="baseDir"/>, else the adapter's <c>base_model_name_or_path</c>). <paramref name="device"/>
    /// picks the device and weight dtype.</summary>
    public static LanguageModel Load(string dir, DeviceOptions? device = null, string? baseDir = null)
    {
        if (Directory.Exists(dir) && PeftAdapter.IsAdapter(dir))
            return LoadAdapter(dir, device, baseDir);
        var d = device ?? DeviceOptions.Cpu;
        var config = ModelDirectory.LoadConfig(dir);
        string tokenizerPath = Path.Combine(dir, ModelDirectory.TokenizerFile);
        if (!File.Exists(tokenizerPath))
            throw new PonderException($"{tokenizerPath}: not found; a model directory needs its tokenizer.json.");
        var tokenizer = TextTokenizer.Load(dir);
        var generation = ModelDirectory.LoadGenerationConfig(dir) ?? new GenerationConfig();
        var network = new CausalLM(config, d);
        try
        {
            LoadWeightsInto(network, dir);
        }
        catch
        {
            network.Dispose();
            throw;
        }
        network.eval();
        HostMemory.Release(); // the file's copy of the weights, freed
        return new LanguageModel(network, tokenizer, generation) { BaseDirectory = Path.GetFullPath(dir) };
    }

    static LanguageModel LoadAdapter(string dir, DeviceOptions? device, string? baseDir)
    {
        string baseModel = PeftAdapter.BaseOf(dir, baseDir);
        var options = PeftAdapter.ReadConfig(dir).ToOptions(Path.Combine(dir, PeftAdapter.ConfigFile));
        var lm = Load(baseModel, device);
        try
        {
            var adapter = lm.AttachAdapter(options, seed: 0);
            var weights = PeftAdapter.ReadWeights(dir, lm.Network.DType, lm.Network.Device);
            try
            {
                adapter.Load(weights, Path.Combine(dir, PeftAdapter.WeightsFile));
            }
            finally
            {
                foreach (var w in weights.Values)
                    w.Dispose();
            }
        }
        catch
        {
            lm.Dispose();
            throw;
        }
        return lm;
    }

    /// <summary>Computes with the PEFT adapter in <paramref name="dir"/> in place of any attached one (what a serving
    /// replica does on vLLM's load_lora_adapter). An adapter of the same rank, alpha and targets is overwritten in
    /// place, and a refused one leaves it as it was; one of another shape replaces it (refused: the base computes
    /// alone).</summary>
    public void UseAdapter(string dir)
    {
        if (!PeftAdapter.IsAdapter(dir))
            throw new PonderException($"{dir}: no {PeftAdapter.ConfigFile} there; give a LoRA adapter folder.");
        var options = PeftAdapter.ReadConfig(dir).ToOptions(Path.Combine(dir, PeftAdapter.ConfigFile));
        var weights = PeftAdapter.ReadWeights(dir, Network.DType, Network.Device);
        try
        {
            string source = Path.Combine(dir, PeftAdapter.WeightsFile);
            if (Network.Adapter is { } current && Same(current.Options, options))
            {
                current.Load(weights, source);
                return;
            }

            Network.DropAdapter();
            var adapter = AttachAdapter(options, seed: 0);
            try
            {
                adapter.Load(weights, source);
            }
            catch
            {
                Network.DropAdapter();
                throw;
            }
        }
        finally
        {
            foreach (var w in weights.Values)
                w.Dispose();
        }
    }

    static bool Same(LoraOptions a, LoraOptions b) =>
        a.Rank == b.Rank && a.Alpha == b.Alpha && a.UseRsLora == b.UseRsLora && a.Targets.SequenceEqual(b.Targets);

    /// <summary>Replaces the weights with those of the model folder <paramref name="dir"/> (same architecture; any
    /// stored dtype): what a trainer's weight sync to a serving replica does (SGLang's update_weights_from_disk).
    /// Attached LoRA adapters stay.</summary>
    public void ReloadWeights(string dir)
    {
        if (Directory.Exists(dir) && PeftAdapter.IsAdapter(dir))
        {
            throw new PonderException(
                $"{dir}: a LoRA adapter folder, not a whole model; merge it first (ponder merge)."
            );
        }

        var config = ModelDirectory.LoadConfig(dir) with { TorchDtype = null };
        if (config.ToJson() != (Config with { TorchDtype = null }).ToJson())
        {
            throw new PonderException(
                $"{dir}: config.json describes another architecture than the model being served; give a checkpoint "
                    + "of the same model."
            );
        }

        LoadWeightsInto(Network, dir);
        HostMemory.Release();
    }

    /// <summary>Where config.json's number comes from, for the projections whose rows are heads × head_dim.</summary>
    static string Why(string tensor, ModelConfig c) =>
        tensor.EndsWith("q_proj.weight", StringComparison.Ordinal)
        || tensor.EndsWith("o_proj.weight", StringComparison.Ordinal)
            ? $" (num_attention_heads {c.NumAttentionHeads} × head_dim {c.HeadDim})"
        : tensor.EndsWith("k_proj.weight", StringComparison.Ordinal)
        || tensor.EndsWith("v_proj.weight", StringComparison.Ordinal)
            ? $" (num_key_value_heads {c.KeyValueHeads} × head_dim {c.HeadDim})"
        : "";

    static void LoadWeightsInto(CausalLM network, string dir)
    {
        var weights = ModelDirectory.LoadWeights(dir, network.DType, network.Device);
        try
        {
            var parameters = network.state_dict();
            ModelDirectory.CheckKeys(parameters.Keys, weights.Keys, dir, network.Config.TieWordEmbeddings);
            using var _ = no_grad();
            foreach (var (name, p) in parameters)
            {
                var w = weights[name];
                if (!w.shape.SequenceEqual(p.shape))
                {
                    throw new PonderException(
                        $"{dir}: tensor {name} has shape [{string.Join(", ", w.shape)}] but config.json "
                            + $"implies [{string.Join(", ", p.shape)}]{Why(name, network.Config)}."
                    );
                }

                p.copy_(w);
            }
        }
        finally
        {
            foreach (var w in weights.Values)
                w.Dispose();
        }
    }

    /// <summary>Writes config.json, model.safetensors, the tokenizer files and generation_config.json (each
    /// atomically). With adapters attached, writes them as a PEFT adapter folder instead (adapter_config.json naming
    /// <see cref="BaseDirectory"/>, adapter_model.safetensors, the tokenizer and generation files): loadable as a
    /// model here, by PEFT and by vLLM's LoRA loading.</summary>
    public void Save(string dir)
    {
        Directory.CreateDirectory(dir);
        if (Network.Adapter is { } adapter)
        {
            PeftAdapter.Save(
                dir,
                adapter,
                BaseDirectory
                    ?? throw new PonderException("an adapter over a model made in memory has no base folder to name.")
            );
            Tokenizer.Save(dir);
            Generation.Save(Path.Combine(dir, GenerationConfig.FileName));
            return;
        }

        var config = Config with { TorchDtype = Network.DType == ScalarType.BFloat16 ? "bfloat16" : "float32" };
        using (var scope = NewDisposeScope())
        {
            var tensors = Network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
            ModelDirectory.SaveWeights(dir, tensors);
        }
        AtomicFile.WriteAllText(Path.Combine(dir, ModelDirectory.ConfigFile), config.ToJson() + "\n");
        Tokenizer.Save(dir);
        Generation.Save(Path.Combine(dir, GenerationConfig.FileName));
    }

    public void Dispose() => Network.Dispose();
}
