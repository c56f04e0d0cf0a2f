using Ponder.LanguageModels;
using Ponder.Training;
using static TorchSharp.torch;

namespace Ponder.Tests.Training;

public sealed class SftPackingTests
{
    static (int[] Ids, bool[] Trainable) Example(int length, int seed)
    {
        var rng = new Random(seed);
        var ids = Enumerable.Range(0, length).Select(_ => rng.Next(1, 97)).ToArray();
        var trainable = Enumerable.Range(0, length).Select(j => j >= length / 2).ToArray(); // second half = "assistant"
        return (ids, trainable);
    }

    [Fact]
    public void Given_examples_of_lengths_6_4_2_1_Then_they_are_packed_first_fit_longest_first_into_rows_of_6()
    {
        using var scope = NewDisposeScope();
        var examples = new[] { Example(2, 1), Example(6, 2), Example(4, 3), Example(1, 4) };
        var (ids, positions, segments, loss) = SftBatch.Pack(examples, padId: 0, CPU);

        // longest first: 6 fills row 0; 4 opens row 1; 2 fits after it (4 + 2 = 6); 1 opens row 2.
        Assert.Equal(new long[] { 3, 6 }, ids.shape);
        Assert.Equal(
            new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 1, 0, 0, 0, 0, 0 },
            segments.data<long>().ToArray()
        );
        Assert.Equal(
            new long[] { 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 0, 1, 0, 0, 0, 0, 0, 0 },
            positions.data<long>().ToArray()
        );
        Assert.Equal(examples[0].Ids.Select(i => (long)i), ids[1].data<long>().ToArray()[4..6]);
        // targets: the trainable tokens after each example's first one. Row 1: the 4-token example trains its tokens
        // 2 and 3 (loss columns 1, 2); the 2-token one its token 1 (column 4). Column 3 would predict the next
        // example's first token from the previous example: never a target.
        Assert.Equal(new float[] { 0, 1, 1, 0, 1 }, loss[1].data<float>().ToArray());
        Assert.Equal(
            SftBatch.TargetCount(examples[2].Trainable) + SftBatch.TargetCount(examples[0].Trainable),
            (int)loss[1].sum().item<float>()
        );
    }

    [Fact]
    public void Given_packed_rows_Then_every_example_gets_the_log_probs_it_gets_alone()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Build(TinyModels.Qwen2(), seed: 3, dtype: "float64");
        var examples = new[] { Example(9, 1), Example(5, 2), Example(3, 3), Example(7, 4) };
        var (ids, positions, segments, lossMask) = SftBatch.Pack(examples, padId: 0, CPU);
        var packed = TokenLogprobs.ComputePacked(model, ids, positions, segments); // (R, L−1)

        // Each example alone: its masked NLL sum. Packed: the same sum, gathered through the loss mask.
        double alone = 0;
        foreach (var (e, trainable) in examples)
        {
            var (one, _, mask) = SftBatch.Collate([(e, trainable)], padId: 0, CPU);
            alone += -(TokenLogprobs.Compute(model, one, attentionMask: null) * mask).sum().item<double>();
        }
        double together = -(packed * lossMask.to(ScalarType.Float64)).sum().item<double>();
        Assert.Equal(alone, together, 9);
        Assert.True(ids.shape[0] < examples.Length, "some examples should share a row");
    }

    [Fact]
    public void Given_the_same_data_Then_packed_and_padded_training_steps_give_the_same_loss()
    {
        using var dir = new TempDir();
        string file = dir.File("data.jsonl");
        File.WriteAllLines(
            file,
            Enumerable
                .Range(0, 8)
                .Select(i =>
                    $$"""{"prompt": "add {{i}} and {{7 * i}}", "reasoning": "{{i}}+{{7 * i}}={{8 * i}}{{new string('.', i)}}", "answer": "{{8 * i}}"}"""
                )
        );
        double Loss(bool packing)
        {
            using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 2);
            using var trainer = new SftTrainer(
                lm,
                SftData.FromFile(file, seed: 1),
                new SftOptions
                {
                    Steps = 2,
                    BatchSize = 8,
                    Packing = packing,
                }
            );
            return trainer.Step().Loss;
        }
        Assert.Equal(Loss(packing: false), Loss(packing: true), 4);
    }
}
