using System.Text.Json;
using Ponder.Checkpoints;
using Spectre.Console;

namespace Ponder.Tests.Cli;

/// <summary>The ponder command line run in-process: output, JSON shape, and one-line errors for bad input.</summary>
public sealed class CliTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    static (int Code, string Out, string Err) Run(params string[] args) => PonderCli.Run(args);

    string InitModel()
    {
        string model = dir.File("model");
        var (code, _, err) = Run("init", "--out", model, "--preset", "tiny", "--seed", "3");
        Assert.True(code == 0, err);
        return model;
    }

    [Fact]
    public void Given_output_that_is_not_a_terminal_When_a_wide_table_is_written_Then_no_header_or_number_is_cut()
    {
        // The demo's summary: 12 columns. At Spectre's default 80 columns for redirected output it printed "pass…",
        // "con…" and numbers wrapped over two lines.
        using var text = new StringWriter();
        var console = Ponder.Cli.Cli.CreateConsole(text);
        var table = new Table().AddColumn("model");
        string[] keys =
        [
            "pass@1",
            "cons@1",
            "pass@2",
            "cons@2",
            "pass@4",
            "cons@4",
            "pass@8",
            "cons@8",
            "greedy pass@1",
            "reasoning tokens",
            "right steps",
        ];
        foreach (var k in keys)
            table.AddColumn(k);
        table.AddRow(["SFT + RL", .. keys.Select(_ => "18.4 %")]);
        console.Write(table);

        string output = text.ToString();
        Assert.All(keys, k => Assert.Contains(k, output, StringComparison.Ordinal));
        Assert.DoesNotContain("…", output, StringComparison.Ordinal);
        Assert.Contains("│ SFT + RL │ 18.4 % │", output, StringComparison.Ordinal);
    }

    static void AssertOneLineError((int Code, string Out, string Err) r, string expected)
    {
        Assert.NotEqual(0, r.Code);
        Assert.Contains(expected, r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.TrimEnd().Split('\n'));
        Assert.DoesNotContain("   at ", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_init_then_generate_json_Then_each_line_has_the_documented_fields()
    {
        string model = InitModel();
        var r = Run(
            "generate",
            "--model",
            model,
            "--prompt",
            "12+7=",
            "--max-tokens",
            "5",
            "--n",
            "2",
            "--seed",
            "1",
            "--json"
        );
        Assert.True(r.Code == 0, r.Err);
        var lines = r.Out.TrimEnd().Split('\n');
        Assert.Equal(2, lines.Length);
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            Assert.Equal(5, root.GetProperty("prompt_token_ids").GetArrayLength()); // byte-level: one id per character
            Assert.Equal(5, root.GetProperty("token_ids").GetArrayLength());
            Assert.Equal(5, root.GetProperty("logprobs").GetArrayLength());
            Assert.Equal("length", root.GetProperty("finish_reason").GetString());
            Assert.Equal(JsonValueKind.String, root.GetProperty("text").ValueKind);
        }
    }

    [Fact]
    public void Given_chat_mode_Then_the_prompt_is_the_rendered_user_turn()
    {
        string model = InitModel();
        var r = Run(
            "generate",
            "--model",
            model,
            "--prompt",
            "hi",
            "--chat",
            "--max-tokens",
            "3",
            "--temperature",
            "0",
            "--json"
        );
        Assert.True(r.Code == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var ids = doc.RootElement.GetProperty("prompt_token_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        // <|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n
        Assert.Equal(257, ids[0]);
        Assert.Equal(259, ids[^2]);
        Assert.Equal('\n', ids[^1]);
    }

    [Fact]
    public void Given_info_json_Then_it_reports_size_vocab_and_context()
    {
        string model = InitModel();
        var r = Run("info", "--model", model, "--json");
        Assert.True(r.Code == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(1024, doc.RootElement.GetProperty("context_length").GetInt32());
        Assert.Equal(320, doc.RootElement.GetProperty("vocab_size").GetInt32());
        Assert.True(doc.RootElement.GetProperty("parameters").GetInt64() > 100_000);
    }

    [Fact]
    public void Given_a_missing_model_directory_Then_one_line_names_it()
    {
        AssertOneLineError(Run("info", "--model", dir.File("nope")), "nope: model directory not found");
    }

    [Fact]
    public void Given_an_unsupported_architecture_Then_one_line_names_the_field()
    {
        string model = InitModel();
        string path = Path.Combine(model, "config.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"qwen2\"", "\"gpt2\"", StringComparison.Ordinal));
        AssertOneLineError(Run("generate", "--model", model, "--prompt", "x"), "model_type \"gpt2\" is not supported");
    }

    [Fact]
    public void Given_an_unknown_torch_dtype_Then_one_line_names_the_file_the_field_and_the_allowed_values()
    {
        string model = InitModel();
        string path = Path.Combine(model, "config.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"float32\"", "\"float99\"", StringComparison.Ordinal));
        var r = Run("generate", "--model", model, "--prompt", "x");
        AssertOneLineError(r, "config.json: torch_dtype \"float99\"");
        Assert.Contains("bfloat16", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_port_in_use_When_serve_starts_Then_one_line_says_to_choose_another_port()
    {
        string model = InitModel();
        using var busy = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        busy.Start();
        int port = ((System.Net.IPEndPoint)busy.LocalEndpoint).Port;

        var r = Run(
            "serve",
            "--model",
            model,
            "--port",
            port.ToString(System.Globalization.CultureInfo.InvariantCulture)
        );

        AssertOneLineError(r, $"--port {port}");
        Assert.Contains("in use", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("serving", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_truncated_safetensors_file_Then_one_line_names_the_file()
    {
        string model = InitModel();
        string weights = Path.Combine(model, ModelDirectory.WeightsFile);
        var bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(bytes.Length / 2)]);
        AssertOneLineError(Run("generate", "--model", model, "--prompt", "x"), "model.safetensors");
    }

    [Fact]
    public void Given_a_tokenizer_of_an_unsupported_type_Then_one_line_says_so()
    {
        string model = InitModel();
        string path = Path.Combine(model, "tokenizer.json");
        File.WriteAllText(
            path,
            File.ReadAllText(path).Replace("\"type\": \"BPE\"", "\"type\": \"Unigram\"", StringComparison.Ordinal)
        );
        AssertOneLineError(Run("generate", "--model", model, "--prompt", "x"), "Unigram");
    }

    [Theory]
    [InlineData("--temperature", "-1", "temperature -1 is out of range")]
    [InlineData("--top-p", "0", "top-p 0 is out of range")]
    [InlineData("--top-p", "1.5", "top-p 1.5 is out of range")]
    [InlineData("--max-tokens", "5000", "exceeds the model's context of 1024 tokens")]
    public void Given_invalid_sampling_options_Then_one_line_names_the_option(
        string option,
        string value,
        string expected
    )
    {
        string model = InitModel();
        AssertOneLineError(Run("generate", "--model", model, "--prompt", "x", option, value), expected);
    }

    [Fact]
    public void Given_init_into_an_existing_model_Then_it_refuses_without_force()
    {
        string model = InitModel();
        AssertOneLineError(Run("init", "--out", model), "already holds a model");
        Assert.Equal(0, Run("init", "--out", model, "--force").Code);
    }
}
