using System.Diagnostics;
using Ponder.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Ponder.Benchmarks;

/// <summary>Training speed of one model on random tokens.</summary>
/// <param name="Batch">Sequences per step.</param>
/// <param name="SeqLen">Tokens per row (the model sees SeqLen inputs and predicts SeqLen targets).</param>
/// <param name="Packed">Sequences packed per row, each attending only within itself (1: one causal sequence).</param>
/// <param name="Steps">Timed optimizer steps.</param>
/// <param name="Seconds">Wall time of the timed steps.</param>
/// <param name="FlopsPerToken"><see cref="Flops.TrainPerToken"/> at context SeqLen.</param>
/// <param name="FinalLoss">Cross-entropy of the last step (ln V ≈ the loss of a random model).</param>
public sealed record TrainThroughputResult(
    int Batch,
    int SeqLen,
    int Packed,
    int Steps,
    double Seconds,
    double FlopsPerToken,
    double FinalLoss
)
{
    public long Tokens => (long)Batch * SeqLen * Steps;

    public double TokensPerSecond => Tokens / Seconds;

    public double GflopsPerSecond => TokensPerSecond * FlopsPerToken / 1e9;
}

/// <summary>
/// Times real training steps: forward on random ids, next-token cross-entropy, backward, AdamW, zero_grad, each in
/// its own DisposeScope. With <c>packed</c> above 1 each row holds that many sequences told apart by the mask SFT's
/// packing uses (<see cref="CausalLM.ForwardPacked"/>), so the cost of the packing mask can be measured. The steps
/// change the model's weights (and leave it in training mode): benchmark a copy you can throw away.
/// </summary>
public static class TrainThroughput
{
    /// <param name="model">The network to train; its device and dtype are used as they are.</param>
    /// <param name="batch">Sequences per step. <value>The default value is 16.</value></param>
    /// <param name="seqLen">Tokens per sequence. <value>The default value is 256.</value></param>
    /// <param name="steps">Timed steps. <value>The default value is 10.</value></param>
    /// <param name="packed">Sequences per row, of <paramref name="seqLen"/> / packed tokens each (the last one takes
    /// the remainder). <value>The default value is 1.</value></param>
    /// <param name="warmupSteps">Untimed steps first (allocator, AdamW state). <value>The default value is
    /// 2.</value></param>
    /// <param name="seed">Seed of the random token ids. <value>The default value is 0.</value></param>
    public static TrainThroughputResult Measure(
        CausalLM model,
        int batch = 16,
        int seqLen = 256,
        int steps = 10,
        int packed = 1,
        int warmupSteps = 2,
        long seed = 0
    )
    {
        ArgumentNullException.ThrowIfNull(model);
        if (batch < 1)
            throw new PonderException($"batch {batch} must be positive.");
        if (seqLen < 1)
            throw new PonderException($"seq-len {seqLen} must be positive.");
        if (steps < 1)
            throw new PonderException($"steps {steps} must be positive.");
        if (packed < 1 || packed > seqLen)
            throw new PonderException($"packed {packed} must be between 1 and seq-len {seqLen}.");
        if (seqLen + 1 > model.Config.MaxPositionEmbeddings)
        {
            throw new PonderException(
                $"seq-len {seqLen} exceeds the model's context of {model.Config.MaxPositionEmbeddings} tokens "
                    + "(one more is needed for the targets); lower --seq-len."
            );
        }

        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);

        model.train();
        var g = new Generator((ulong)seed);
        using var optimizer = optim.AdamW(model.parameters(), lr: 1e-4);
        try
        {
            double loss = 0;
            for (int i = 0; i < warmupSteps; i++)
                loss = Step(model, optimizer, g, batch, seqLen, packed);
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < steps; i++)
                loss = Step(model, optimizer, g, batch, seqLen, packed);
            double seconds = clock.Elapsed.TotalSeconds;
            return new TrainThroughputResult(
                batch,
                seqLen,
                packed,
                steps,
                seconds,
                Flops.TrainPerToken(model.Config, seqLen / packed),
                loss
            );
        }
        finally
        {
            model.zero_grad(set_to_none: true); // gradients are native memory the parameters would keep alive
        }
    }

    static double Step(CausalLM model, optim.Optimizer optimizer, Generator g, int batch, int seqLen, int packed)
    {
        using var scope = NewDisposeScope();
        int v = model.Config.VocabSize;
        var ids = randint(0, v, [batch, seqLen + 1], generator: g).to(model.Device); // (B, T+1)
        var inputs = ids.narrow(1, 0, seqLen); // (B, T)
        var logits = packed == 1 ? model.Forward(inputs) : Packed(model, inputs, packed); // (B, T, V)
        var targets = ids.narrow(1, 1, seqLen); // (B, T)
        var loss = nn.functional.cross_entropy(logits.reshape(-1, v), targets.reshape(-1)); // ()
        loss.backward();
        optimizer.step();
        optimizer.zero_grad();
        // Reading the loss waits for the step to finish (asynchronous devices) and is what a trainer logs.
        return loss.ToDouble();
    }

    /// <summary>The forward of rows holding <paramref name="packed"/> sequences each: sequence j of a row is its
    /// tokens j·L … (j+1)·L − 1 with L = T / packed (the last also takes the remainder), positions from 0.</summary>
    static Tensor Packed(CausalLM model, Tensor ids, int packed)
    {
        long b = ids.shape[0];
        int t = (int)ids.shape[1],
            length = t / packed;
        var segments = new long[t];
        var positions = new long[t];
        for (int i = 0; i < t; i++)
        {
            int j = Math.Min(i / length, packed - 1);
            (segments[i], positions[i]) = (j + 1, i - j * length); // segment 0 means padding
        }
        return model.ForwardPacked(
            ids,
            tensor(positions, device: model.Device).unsqueeze(0).expand(b, t),
            tensor(segments, device: model.Device).unsqueeze(0).expand(b, t)
        );
    }
}
