using System.CommandLine;
using Ponder.LanguageModels;
using Ponder.Model;
using Ponder.Text;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder init</c>: a randomly initialised model directory, at a preset size or at the exact shape of a
/// config.json (a file, or a public checkpoint's by name).</summary>
static class InitCommand
{
    /// <summary>Tokenizer files copied from <c>--tokenizer DIR</c> when present.</summary>
    static readonly string[] TokenizerFiles = ["chat_template.jinja", "special_tokens_map.json"];

    public static Command Create(CliOutput io)
    {
        var cli = new CliOptions();
        var command = new Command(
            "init",
            "Create a randomly initialised model (Hugging Face layout): a preset size with the byte-level tokenizer, "
                + "or the shape of a config.json (--config FILE or --like NAME)."
        );
        cli.AddTo(command);
        command.SetAction(r => Run(io, cli, r));
        return command;
    }

    static int Run(CliOutput io, CliOptions cli, ParseResult r)
    {
        string dir = r.GetValue(cli.Out)!;
        string? preset = r.GetValue(cli.Preset),
            configFile = r.GetValue(cli.Config),
            like = r.GetValue(cli.Like),
            tokenizerDir = r.GetValue(cli.Tokenizer);
        if (new[] { preset, configFile, like }.Count(x => x is not null) > 1)
            throw new PonderException("--preset, --config and --like each choose the shape: give one of them.");
        if (preset is not null && tokenizerDir is not null)
            throw new PonderException("--tokenizer goes with --config or --like; a preset uses the byte-level one.");
        if (File.Exists(Path.Combine(dir, "config.json")) && !r.GetValue(cli.Force))
        {
            throw new PonderException(
                $"{dir}: already holds a model (config.json); choose another --out or pass --force."
            );
        }

        var device = CommonOptions.ToDevice("cpu", r.GetValue(cli.DType)!);
        var tokenizer = tokenizerDir is null ? null : TextTokenizer.Load(tokenizerDir);
        var shape =
            configFile is not null ? ModelConfig.Load(configFile)
            : like is not null ? Presets.Like(like)
            : null;

        using var model = shape is null
            ? LanguageModel.CreateFromScratch(preset ?? "tiny", r.GetValue(cli.Arch)!, r.GetValue(cli.Seed), device)
            : LanguageModel.CreateFromConfig(shape, r.GetValue(cli.Seed), tokenizer, device);
        model.Save(dir);
        if (tokenizerDir is not null)
            CopyTokenizerExtras(tokenizerDir, dir);
        string what = like ?? (configFile is not null ? Path.GetFileName(configFile) : preset ?? "tiny");
        io.Out.WriteLine(
            $"Wrote {what} {model.Config.ModelType} model ({model.Config.ParameterCount:N0} parameters, random "
                + $"weights, {(tokenizer is null ? "byte-level" : "given")} tokenizer) to {dir}"
        );
        return 0;
    }

    static void CopyTokenizerExtras(string from, string to)
    {
        foreach (string file in TokenizerFiles)
        {
            string source = Path.Combine(from, file);
            if (File.Exists(source))
                File.Copy(source, Path.Combine(to, file), overwrite: true);
        }
    }

    sealed class CliOptions
    {
        public Option<string> Out { get; } =
            new("--out") { Description = "Directory to write (created if missing).", Required = true };
        public Option<string?> Preset { get; } =
            new("--preset") { Description = $"Size: {string.Join(", ", Presets.Names)} (default tiny)." };
        public Option<string> Arch { get; } =
            new("--arch") { Description = "With a preset: llama, qwen2 or qwen3.", DefaultValueFactory = _ => "qwen2" };
        public Option<string?> Config { get; } =
            new("--config") { Description = "A config.json whose exact shape to build (any supported family)." };
        public Option<string?> Like { get; } =
            new("--like")
            {
                Description = $"The shape of a public checkpoint: {string.Join(", ", Presets.LikeNames)}.",
            };
        public Option<string?> Tokenizer { get; } =
            new("--tokenizer")
            {
                Description =
                    "With --config or --like: a folder with the model's tokenizer.json (and tokenizer_config.json, "
                    + "chat_template.jinja) to use instead of the byte-level tokenizer.",
            };
        public Option<long> Seed { get; } =
            new("--seed") { Description = "Initialisation seed.", DefaultValueFactory = _ => 0 };
        public Option<string> DType { get; } = CommonOptions.DType();
        public Option<bool> Force { get; } =
            new("--force") { Description = "Overwrite a directory that already holds a model." };

        public void AddTo(Command command)
        {
            Option[] all = [Out, Preset, Arch, Config, Like, Tokenizer, Seed, DType, Force];
            foreach (var o in all)
                command.Options.Add(o);
        }
    }
}
