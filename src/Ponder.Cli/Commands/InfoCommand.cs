using System.CommandLine;
using System.Text.Json;
using Ponder.Checkpoints;
using Ponder.Text;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder info</c>: what a model directory holds, read from its files without loading the
/// weights.</summary>
static class InfoCommand
{
    public static Command Create(CliOutput io)
    {
        var model = CommonOptions.Model();
        var json = CommonOptions.Json();
        var command = new Command("info", "Show a model's architecture, size, dtype, vocabulary and context length.")
        {
            model,
            json,
        };
        command.SetAction(r =>
        {
            string dir = r.GetValue(model)!;
            var config = ModelDirectory.LoadConfig(dir);
            var tokenizer = TextTokenizer.Load(dir);
            var info = new SortedDictionary<string, object?>(StringComparer.Ordinal)
            {
                ["architecture"] = config.Architectures is [var first, ..] ? first : config.ModelType,
                ["model_type"] = config.ModelType,
                ["parameters"] = config.ParameterCount,
                ["dtype"] = config.TorchDtype ?? "unknown",
                ["layers"] = config.NumHiddenLayers,
                ["hidden_size"] = config.HiddenSize,
                ["attention_heads"] = config.NumAttentionHeads,
                ["kv_heads"] = config.KeyValueHeads,
                ["head_dim"] = config.HeadDim,
                ["vocab_size"] = config.VocabSize,
                ["tokenizer_vocab_size"] = tokenizer.VocabSize,
                ["context_length"] = config.MaxPositionEmbeddings,
                ["tied_embeddings"] = config.TieWordEmbeddings,
                ["rope_theta"] = config.RopeTheta,
                ["rope_scaling"] = config.RopeScaling?.Kind,
                ["chat_template"] =
                    tokenizer.ChatTemplateSource is { } own && !PromptFormat.IsPondersChatMl(own) ? "model"
                    : tokenizer.TokenToId(ChatTemplate.ImStart) is not null ? "chatml-think"
                    : "none",
            };
            if (r.GetValue(json))
            {
                io.Out.WriteLine(CliJson.Line(info));
                return 0;
            }
            var table = new Table().AddColumn("field").AddColumn("value");
            foreach (var (k, v) in info)
                table.AddRow(k, Markup.Escape(v is long n ? n.ToString("N0") : v?.ToString() ?? "-"));
            io.Console.Write(table);
            return 0;
        });
        return command;
    }
}
