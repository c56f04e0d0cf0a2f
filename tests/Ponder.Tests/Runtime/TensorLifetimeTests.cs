using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Reinforcement;
using Ponder.Tests.Reinforcement;
using TorchSharp;

namespace Ponder.Tests.Runtime;

/// <summary>A tensor made outside any dispose scope and never disposed is freed by its finalizer whenever a garbage
/// collection runs — also while native code still reads it, if it was a temporary. Training and generation steps make
/// every tensor inside a scope (long-lived state is made once and disposed by its owner).</summary>
public sealed class TensorLifetimeTests
{
    /// <summary>Tensors made outside any scope and not (yet) disposed: what only a finalizer would free.</summary>
    static long LeftToFinalizers()
    {
        var stats = DisposeScopeManager.Statistics;
        return stats.CreatedOutsideScopeCount - stats.DisposedOutsideScopeCount;
    }

    [Fact]
    public void Given_rl_steps_and_generation_Then_no_tensor_is_left_to_a_finalizer()
    {
        using var lm = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 2);
        using var trainer = new RlTrainer(lm, new ParityTask(), RlTrainerTests.Small() with { Steps = 3 });
        trainer.Step();
        var generator = lm.CreateGenerator();
        generator.Generate(
            [
                [1, 2, 3],
            ],
            new SamplingOptions
            {
                Temperature = 1,
                MaxNewTokens = 8,
                N = 2,
                Seed = 1,
            }
        );
        long before = LeftToFinalizers();

        trainer.Step();
        generator.Generate(
            [
                [1, 2, 3],
            ],
            new SamplingOptions
            {
                Temperature = 1,
                MaxNewTokens = 8,
                N = 2,
                Seed = 2,
            }
        );

        // The KV caches and masks a generation makes outside scopes are disposed by their owners before it returns.
        Assert.True(LeftToFinalizers() <= before, $"{LeftToFinalizers() - before} tensors left to finalizers");
    }
}
