using System.Text.Json;
using Ponder.Checkpoints;

namespace Ponder.Tests.Checkpoints;

public sealed class GenerationConfigTests
{
    // Llama-3.2-1B-Instruct's generation_config.json shape: eos is a list; transformers_version is unknown to us.
    const string Json = """
        {
          "bos_token_id": 128000,
          "do_sample": true,
          "eos_token_id": [128001, 128008, 128009],
          "temperature": 0.6,
          "top_p": 0.9,
          "transformers_version": "4.45.0.dev0",
          "reasoning_effort": {"low": 256, "high": 4096}
        }
        """;

    [Fact]
    public void Given_a_generation_config_with_an_eos_list_When_parsed_Then_fields_and_ids_are_read()
    {
        var g = GenerationConfig.Parse(Json);

        Assert.Equal(128000, g.BosTokenId);
        Assert.Equal([128001, 128008, 128009], g.EosTokenIds);
        Assert.Equal((0.6, 0.9, true), (g.Temperature, g.TopP, g.DoSample));
        Assert.Null(g.TopK);
        Assert.Null(g.MaxNewTokens);
    }

    [Fact]
    public void Given_unknown_fields_When_saved_and_loaded_Then_they_survive_unchanged()
    {
        using var dir = new TempDir();
        string path = dir.File(GenerationConfig.FileName);

        GenerationConfig.Parse(Json).Save(path);
        var back = GenerationConfig.Load(path);

        Assert.Equal("4.45.0.dev0", back.Extra!["transformers_version"].GetString());
        Assert.Equal(4096, back.Extra["reasoning_effort"].GetProperty("high").GetInt32());
        Assert.Equal([128001, 128008, 128009], back.EosTokenIds);
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Given_one_eos_id_When_set_and_serialized_Then_it_is_written_as_a_number()
    {
        var g = new GenerationConfig { MaxNewTokens = 512 }.WithEosTokenIds([151643]);

        using var doc = JsonDocument.Parse(g.ToJson());

        Assert.Equal(151643, doc.RootElement.GetProperty("eos_token_id").GetInt32());
        Assert.Equal(512, doc.RootElement.GetProperty("max_new_tokens").GetInt32());
        Assert.False(doc.RootElement.TryGetProperty("temperature", out _));
    }

    [Fact]
    public void Given_an_eos_string_When_parsed_Then_the_message_names_the_field()
    {
        var e = Assert.Throws<PonderException>(() =>
            GenerationConfig.Parse("""{"eos_token_id": "</s>"}""", "gen.json")
        );
        Assert.Contains("gen.json: eos_token_id", e.Message);
    }
}
