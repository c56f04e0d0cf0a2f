using Ponder.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ponder.Verifier;

/// <summary>
/// An outcome verifier: the policy's decoder (a <see cref="LanguageModel"/> whose lm_head is unused) with a scalar
/// head <c>Linear(C, 1)</c> on its final hidden states. <see cref="PositionLogits"/> scores every token position,
/// so a process (per-step) score can later read positions inside the reasoning; the outcome score of a completion
/// is the logit at its last real token, and P(correct) = sigmoid(logit).
/// Saved as a directory: the body in Hugging Face layout, <c>verifier_head.safetensors</c> and <c>verifier.json</c>.
/// Owns the body and head: dispose it.
/// </summary>
public sealed class VerifierModel : IDisposable
{
    public const string HeadFile = "verifier_head.safetensors";
    const string HeadWeight = "verifier_head.weight", HeadBias = "verifier_head.bias";

    readonly Linear head;   // float32 whatever the body's dtype: it reads widened hidden states

    VerifierModel(LanguageModel body, Linear head, VerifierInfo info)
    {
        Body = body;
        this.head = head;
        Info = info;
    }

    /// <summary>The decoder the head reads (its tokenizer is the policy's).</summary>
    public LanguageModel Body { get; }

    public VerifierInfo Info { get; set; }

    /// <summary>Body and head parameters, named as saved (<c>model.*</c>, <c>verifier_head.*</c>; lm_head is left out: it takes no part).</summary>
    public IEnumerable<(string Name, Parameter Param)> Parameters =>
        Body.Network.named_parameters().Where(p => !p.name.StartsWith("lm_head", StringComparison.Ordinal)).Select(p => (p.name, p.parameter))
            .Append((HeadWeight, head.weight!)).Append((HeadBias, head.bias!));

    /// <summary>A new verifier whose body is <paramref name="policy"/> (taken over: the verifier disposes it) and whose
    /// head starts at zero, so every first score is ½.</summary>
    public static VerifierModel FromPolicy(LanguageModel policy, VerifierInfo info)
    {
        var head = nn.Linear(policy.Config.HiddenSize, 1, hasBias: true, device: policy.Network.Device, dtype: ScalarType.Float32);
        using (no_grad())
        {
            head.weight!.zero_();
            head.bias!.zero_();
        }
        return new VerifierModel(policy, head, info);
    }

    /// <summary>The logit of P(correct) at every position (B, T): the score of the sequence up to that token.</summary>
    public Tensor PositionLogits(Tensor ids, Tensor attention)
    {
        var hidden = Body.Network.Hidden(ids, attention).to(ScalarType.Float32);   // (B, T, C)
        return head.forward(hidden).squeeze(-1);                                     // (B, T)
    }

    /// <summary>The outcome logit (B): <see cref="PositionLogits"/> at each row's last real token (right padding).</summary>
    public Tensor OutcomeLogits(Tensor ids, Tensor attention)
    {
        var last = attention.sum(1, type: ScalarType.Int64) - 1;                      // (B)
        return PositionLogits(ids, attention).gather(1, last.unsqueeze(1)).squeeze(1); // (B)
    }

    /// <summary>P(correct) of each sequence, without gradients, in batches of <paramref name="batchSize"/> (default 16).</summary>
    public double[] Score(IReadOnlyList<int[]> sequences, int batchSize = 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Body.Network.eval();
        using var _ = no_grad();
        var scores = new double[sequences.Count];
        for (int start = 0; start < sequences.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var part = sequences.Skip(start).Take(batchSize).ToArray();
            var (ids, attention) = VerifierBatch.Collate(part, PadId, Body.Network.Device);
            var p = OutcomeLogits(ids, attention).sigmoid().to(ScalarType.Float64).cpu().data<double>().ToArray();
            Array.Copy(p, 0, scores, start, p.Length);
        }
        return scores;
    }

    /// <summary>P(correct) of each graded rollout, reading its prompt and completion ids (see <see cref="VerifierBatch.Input"/>).</summary>
    public double[] Score(IReadOnlyList<Rollouts.Rollout> rollouts, int batchSize = 16) =>
        Score(rollouts.Select(r => VerifierBatch.Input(r.Completion.PromptIds, r.Completion.TokenIds, Info.MaxLength)).ToArray(), batchSize);

    internal int PadId => Body.Tokenizer.PadTokenId ?? Body.Chat?.EndOfTurnId ?? 0;

    /// <summary>Writes the body (Hugging Face layout), the head and verifier.json into <paramref name="dir"/>.</summary>
    public void Save(string dir)
    {
        Body.Save(dir);
        SafeTensors.Write(Path.Combine(dir, HeadFile), new Dictionary<string, Tensor> { [HeadWeight] = head.weight!, [HeadBias] = head.bias! });
        Info.Save(dir);
    }

    /// <summary>Loads a verifier directory; with <paramref name="policy"/>, refuses one trained for another tokenizer or architecture.</summary>
    public static VerifierModel Load(string dir, LanguageModel? policy = null, Runtime.DeviceOptions? device = null)
    {
        var info = VerifierInfo.Load(dir);
        if (policy is not null) info.CheckCompatible(policy, dir);
        string headPath = Path.Combine(dir, HeadFile);
        if (!File.Exists(headPath)) throw new PonderException($"{dir}: {HeadFile} is missing; the verifier directory is incomplete.");
        var body = LanguageModel.Load(dir, device);
        var head = nn.Linear(body.Config.HiddenSize, 1, hasBias: true, device: body.Network.Device, dtype: ScalarType.Float32);
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var tensors = SafeTensors.Read(headPath, ScalarType.Float32, body.Network.Device);
            if (!tensors.TryGetValue(HeadWeight, out var w) || !tensors.TryGetValue(HeadBias, out var b) || w.shape[^1] != body.Config.HiddenSize)
                throw new PonderException($"{headPath}: expected {HeadWeight} [1, {body.Config.HiddenSize}] and {HeadBias} [1].");
            head.weight!.copy_(w.reshape(1, -1));
            head.bias!.copy_(b.reshape(1));
        }
        catch
        {
            head.Dispose();
            body.Dispose();
            throw;
        }
        return new VerifierModel(body, head, info);
    }

    public void Dispose()
    {
        head.Dispose();
        Body.Dispose();
    }
}
