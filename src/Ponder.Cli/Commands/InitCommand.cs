using System.CommandLine;
using Ponder.LanguageModels;
using Ponder.Model;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder init</c>: a randomly initialised model directory with the byte-level tokenizer.</summary>
static class InitCommand
{
    public static Command Create(CliOutput io)
    {
        var outDir = new Option<string>("--out")
        {
            Description = "Directory to write (created if missing).",
            Required = true,
        };
        var preset = new Option<string>("--preset")
        {
            Description = $"Size: {string.Join(" or ", Presets.Names)}.",
            DefaultValueFactory = _ => "tiny",
        };
        var arch = new Option<string>("--arch") { Description = "llama or qwen2.", DefaultValueFactory = _ => "qwen2" };
        var seed = new Option<long>("--seed") { Description = "Initialisation seed.", DefaultValueFactory = _ => 0 };
        var force = new Option<bool>("--force") { Description = "Overwrite a directory that already holds a model." };
        var command = new Command(
            "init",
            "Create a randomly initialised model (Hugging Face layout, byte-level tokenizer)."
        )
        {
            outDir,
            preset,
            arch,
            seed,
            force,
        };
        command.SetAction(r =>
        {
            string dir = r.GetValue(outDir)!;
            if (File.Exists(Path.Combine(dir, "config.json")) && !r.GetValue(force))
            {
                throw new PonderException(
                    $"{dir}: already holds a model (config.json); choose another --out or pass --force."
                );
            }

            using var model = LanguageModel.CreateFromScratch(r.GetValue(preset)!, r.GetValue(arch)!, r.GetValue(seed));
            model.Save(dir);
            io.Out.WriteLine(
                $"Wrote {r.GetValue(preset)} {model.Config.ModelType} model ({model.Config.ParameterCount:N0} "
                    + $"parameters) to {dir}"
            );
            return 0;
        });
        return command;
    }
}
