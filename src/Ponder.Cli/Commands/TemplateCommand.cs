using System.CommandLine;
using System.Text.Json;
using Ponder.Text;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder template</c>: renders a conversation with a model's chat template and prints the text and
/// its token ids — what transformers' <c>apply_chat_template(tokenize=True)</c> returns — from the tokenizer files
/// alone (no weights needed).</summary>
static class TemplateCommand
{
    public static Command Create(CliOutput io)
    {
        var model = CommonOptions.Model();
        var messages = new Option<string>("--messages")
        {
            Description = "JSON file: a list of {\"role\", \"content\"} messages (OpenAI style; tool_calls allowed).",
            Required = true,
        };
        var set = new Option<string[]>("--set")
        {
            Description =
                "A template variable, NAME=VALUE (VALUE is JSON if it parses, else a string), e.g. "
                + "enable_thinking=false. Repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var noGeneration = new Option<bool>("--no-generation-prompt")
        {
            Description = "Leave out the assistant header that asks the model to answer.",
        };
        var json = CommonOptions.Json();
        var command = new Command("template", "Render a conversation with a model's chat template: text and token ids.")
        {
            model,
            messages,
            set,
            noGeneration,
            json,
        };
        command.SetAction(r =>
            Run(
                io,
                r.GetValue(model)!,
                r.GetValue(messages)!,
                r.GetValue(set) ?? [],
                !r.GetValue(noGeneration),
                r.GetValue(json)
            )
        );
        return command;
    }

    static int Run(CliOutput io, string dir, string messagesFile, string[] sets, bool generation, bool json)
    {
        var tokenizer = TextTokenizer.Load(dir);
        var format =
            PromptFormat.For(tokenizer)
            ?? throw new PonderException(
                $"{dir}: the model has no chat template (no chat_template in tokenizer_config.json, no "
                    + $"{TextTokenizer.TemplateFileName}, no ChatML thinking tokens)"
            );
        var prompt = format.Render(ReadMessages(messagesFile), messagesFile, generation, Variables(sets));
        if (json)
        {
            io.Out.WriteLine(
                CliJson.Line(
                    new Dictionary<string, object?>
                    {
                        ["template"] = format.UsesModelsOwnTemplate ? "model" : "chatml-think",
                        ["text"] = prompt.Text,
                        ["token_ids"] = prompt.Ids,
                        ["reasoning_open"] = prompt.ReasoningOpen,
                    }
                )
            );
            return 0;
        }
        io.Out.Write(prompt.Text);
        if (!prompt.Text.EndsWith('\n'))
            io.Out.WriteLine();
        io.Out.WriteLine($"── {prompt.Ids.Count} token ids ──");
        io.Out.WriteLine(string.Join(' ', prompt.Ids));
        return 0;
    }

    static JsonElement ReadMessages(string file)
    {
        if (!File.Exists(file))
            throw new PonderException($"{file}: not found; --messages needs a JSON file with a list of messages");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new PonderException($"{file}: not valid JSON ({e.Message})", e);
        }
    }

    /// <summary>--set NAME=VALUE pairs; VALUE is JSON when it parses (false, 3, ["a"]), else a string.</summary>
    static Dictionary<string, JsonElement> Variables(string[] sets)
    {
        var variables = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var set in sets)
        {
            int eq = set.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new PonderException($"--set {set}: expected NAME=VALUE, e.g. --set enable_thinking=false");
            string name = set[..eq],
                value = set[(eq + 1)..];
            if (name is "messages" or "add_generation_prompt")
            {
                throw new PonderException(
                    $"--set {name}: set by the command itself; use --messages or --no-generation-prompt"
                );
            }
            variables[name] = Parse(value);
        }
        return variables;
    }

    static JsonElement Parse(string value)
    {
        try
        {
            using var doc = JsonDocument.Parse(value);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(value);
        }
    }
}
