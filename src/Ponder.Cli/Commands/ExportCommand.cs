using System.CommandLine;
using Ponder.Checkpoints.Gguf;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder export gguf|ollama</c>: a model directory written for llama.cpp, LM Studio and Ollama.</summary>
static class ExportCommand
{
    public static Command Create(CliOutput io) =>
        new("export", "Write a model for other runtimes (llama.cpp, LM Studio, Ollama).") { Gguf(io), Ollama(io) };

    static Option<string> Type() =>
        new("--type")
        {
            Description = $"Matrix type: {string.Join(", ", GgufTypes.Names)} (norms and biases stay f32).",
            DefaultValueFactory = _ => "f32",
        };

    static Option<string> Out(string description) => new("--out") { Description = description, Required = true };

    static Command Gguf(CliOutput io)
    {
        var model = CommonOptions.Model();
        var output = Out("The .gguf file to write (atomically).");
        var type = Type();
        var command = new Command("gguf", "Write the model, its tokenizer and chat template as one GGUF file.")
        {
            model,
            output,
            type,
        };
        command.SetAction(r =>
        {
            var t = GgufTypes.Parse(r.GetValue(type)!);
            string path = r.GetValue(output)!;
            GgufExport.FromDirectory(r.GetValue(model)!, path, t);
            io.Console.MarkupLine(
                $"wrote [bold]{Markup.Escape(path)}[/] ({GgufTypes.Name(t)}, {new FileInfo(path).Length:N0} bytes)"
            );
            return 0;
        });
        return command;
    }

    static Command Ollama(CliOutput io)
    {
        var model = CommonOptions.Model();
        var output = Out("The folder to write model.gguf and Modelfile into.");
        var type = Type();
        var command = new Command(
            "ollama",
            "Write model.gguf and a Modelfile whose TEMPLATE and stops reproduce the model's chat format."
        )
        {
            model,
            output,
            type,
        };
        command.SetAction(r =>
        {
            string dir = r.GetValue(output)!;
            var format = OllamaExport.FromDirectory(r.GetValue(model)!, dir, GgufTypes.Parse(r.GetValue(type)!));
            io.Console.MarkupLine(
                $"wrote [bold]{Markup.Escape(dir)}[/] ({Markup.Escape(format.Name)}); import it with: "
                    + $"ollama create NAME -f {Markup.Escape(Path.Combine(dir, OllamaExport.ModelfileName))}"
            );
            return 0;
        });
        return command;
    }
}
