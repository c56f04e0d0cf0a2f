using Ponder.Generation;
using Ponder.Rollouts;
using Ponder.Serving;
using Ponder.Tasks;
using Ponder.Tasks.Generated;
using Ponder.Text;

namespace Ponder.Tests.Serving;

/// <summary>Serving, evaluation and RL rollouts run one token path (the <see cref="DecodeEngine"/>): the same prompt,
/// seed and settings give the same tokens through each.</summary>
public sealed class OneEngineTests(TinyChatModel tiny) : IClassFixture<TinyChatModel>
{
    [Fact]
    public async Task Given_one_problem_When_sampled_by_the_server_evaluation_and_rl_Then_the_tokens_are_the_same()
    {
        var task = new ArithmeticTask(new ArithmeticOptions());
        var problem = task.Problems(TaskSplit.Test, 1)[0];
        const int n = 3;
        var sampling = new SamplingOptions
        {
            Temperature = 1.0,
            MaxNewTokens = 24,
            N = n,
            Seed = 77,
        };

        // Evaluation: ponder eval's path (render with the template, sample N, grade).
        var evaluation = LocalRollouts.Run(tiny.Model, task, [problem], sampling);
        // RL: RlTrainer's sampling round renders the same user turn and draws the group from the policy's generator.
        var prompt = tiny.Model.Chat!.Render([new ChatMessage(ChatRole.User, task.Prompt(problem))]).Ids;
        var rl = tiny.Model.CreateGenerator().Generate([prompt], sampling with { MaxBatchSize = 2 });
        // Serving: one request per choice, as the chat endpoint submits n choices.
        var rendered = tiny.Model.Prompt!.RenderForGeneration([new ChatMessage(ChatRole.User, task.Prompt(problem))]);
        using var engine = new InferenceEngine(tiny.Model);
        var served = await Task.WhenAll(
            Enumerable
                .Range(0, n)
                .Select(j =>
                    engine
                        .Submit(
                            new GenerationRequest
                            {
                                PromptIds = rendered.Ids,
                                ReasoningOpen = rendered.ReasoningOpen,
                                Temperature = sampling.Temperature,
                                MaxNewTokens = sampling.MaxNewTokens,
                                Seed = sampling.Seed,
                                SampleIndex = j,
                            }
                        )
                        .Result
                )
        );

        Assert.Equal(prompt, rendered.Ids);
        for (int j = 0; j < n; j++)
        {
            Assert.Equal(evaluation[j].Completion.TokenIds, rl[j].TokenIds);
            Assert.Equal(evaluation[j].Completion.TokenIds, served[j].TokenIds);
        }
        Assert.NotEqual(served[0].TokenIds, served[1].TokenIds);
    }
}
