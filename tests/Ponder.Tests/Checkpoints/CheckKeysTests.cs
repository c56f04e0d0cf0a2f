using Ponder.Checkpoints;

namespace Ponder.Tests.Checkpoints;

public sealed class CheckKeysTests
{
    [Fact]
    public void Given_identical_name_sets_When_checked_Then_nothing_is_thrown()
    {
        ModelDirectory.CheckKeys(["a", "b"], ["b", "a"], "model.safetensors");
    }

    [Fact]
    public void Given_missing_and_unexpected_names_When_checked_Then_both_are_listed_sorted_after_the_source()
    {
        var e = Assert.Throws<PonderException>(() =>
            ModelDirectory.CheckKeys(
                ["model.layers.3.mlp.up_proj.weight", "model.norm.weight", "model.embed_tokens.weight"],
                ["model.embed_tokens.weight", "model.layers.3.mlp.up.weight"],
                "model.safetensors"
            )
        );

        Assert.StartsWith(
            "model.safetensors: missing tensors model.layers.3.mlp.up_proj.weight, model.norm.weight; "
                + "unexpected tensors model.layers.3.mlp.up.weight",
            e.Message
        );
    }

    [Fact]
    public void Given_eight_missing_names_When_checked_Then_five_are_shown_and_the_rest_counted()
    {
        var expected = Enumerable.Range(0, 8).Select(i => $"w{i}").ToArray();

        var e = Assert.Throws<PonderException>(() => ModelDirectory.CheckKeys(expected, [], "ckpt"));

        Assert.Contains("missing tensors w0, w1, w2, w3, w4 and 3 more", e.Message);
        Assert.DoesNotContain("unexpected", e.Message);
    }

    [Fact]
    public void Given_tied_embeddings_and_a_checkpoint_with_lm_head_When_checked_Then_lm_head_is_tolerated()
    {
        // The caller drops lm_head.weight from expected when tie_word_embeddings is true; HF sometimes saves it anyway.
        string[] expected = ["model.embed_tokens.weight"];
        string[] actual = ["model.embed_tokens.weight", "lm_head.weight"];

        ModelDirectory.CheckKeys(expected, actual, "model.safetensors", tieWordEmbeddings: true);
        var e = Assert.Throws<PonderException>(() => ModelDirectory.CheckKeys(expected, actual, "model.safetensors"));
        Assert.Contains("unexpected tensors lm_head.weight", e.Message);
    }
}
