using System.CommandLine;
using Ponder.Checkpoints;
using Ponder.LanguageModels;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder merge</c>: a LoRA adapter folded into its base model, written as a plain model folder (PEFT's
/// <c>merge_and_unload</c> then <c>save_pretrained</c>).</summary>
static class MergeCommand
{
    public static Command Create(CliOutput io)
    {
        var adapter = new Option<string>("--adapter")
        {
            Description = "The adapter folder (adapter_config.json and adapter_model.safetensors).",
            Required = true,
        };
        var output = new Option<string>("--out") { Description = "The merged model's folder.", Required = true };
        var lora = new LoraCliOptions();
        var dtype = CommonOptions.DType();
        var command = new Command("merge", "Fold a LoRA adapter into its base model and save the whole model.")
        {
            adapter,
            output,
            lora.Base,
            dtype,
        };
        command.SetAction(r =>
        {
            string dir = r.GetValue(adapter)!;
            if (!Directory.Exists(dir) || !PeftAdapter.IsAdapter(dir))
            {
                throw new PonderException(
                    $"--adapter {dir}: not an adapter folder (it needs {PeftAdapter.ConfigFile} and no config.json)."
                );
            }

            string outDir = r.GetValue(output)!;
            using var lm = LanguageModel.Load(
                dir,
                CommonOptions.ToDevice("cpu", r.GetValue(dtype)!),
                r.GetValue(lora.Base)
            );
            lm.Network.MergeAdapter();
            lm.Save(outDir);
            io.Console.MarkupLine(
                $"merged [bold]{Markup.Escape(dir)}[/] into [bold]{Markup.Escape(lm.BaseDirectory ?? "")}[/]; "
                    + $"wrote [bold]{Markup.Escape(outDir)}[/]"
            );
            return 0;
        });
        return command;
    }
}
