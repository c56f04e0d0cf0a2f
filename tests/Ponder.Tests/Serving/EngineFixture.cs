using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Serving;
using Ponder.Text;

namespace Ponder.Tests.Serving;

/// <summary>A tiny from-scratch chat model shared by the serving tests (random weights: babble, but
/// deterministic).</summary>
public sealed class TinyChatModel : IDisposable
{
    public TinyChatModel() => Model = LanguageModel.CreateFromScratch("tiny", "qwen2", seed: 7);

    public LanguageModel Model { get; }

    public IReadOnlyList<int> Prompt(string user) => Model.Chat!.Render([new ChatMessage(ChatRole.User, user)]).Ids;

    /// <summary>What the static-batch generator gives for one prompt alone.</summary>
    public Completion Reference(IReadOnlyList<int> prompt, SamplingOptions options) =>
        Model.CreateGenerator().Generate([prompt], options)[0];

    public void Dispose() => Model.Dispose();
}
