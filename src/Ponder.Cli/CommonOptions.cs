using System.CommandLine;
using Ponder.Runtime;

namespace Ponder.Cli;

/// <summary>Options several commands share, created fresh per command (System.CommandLine options belong to one
/// parent).</summary>
static class CommonOptions
{
    public static Option<string> Model() =>
        new("--model") { Description = "Model directory (Hugging Face layout).", Required = true };

    /// <summary>The base model of a LoRA adapter folder given as <c>--model</c>.</summary>
    public static Option<string?> Base() =>
        new("--base")
        {
            Description =
                "The base model folder of an adapter given as --model (default: its "
                + "adapter_config.json's base_model_name_or_path).",
        };

    public static Option<string> Device() =>
        new("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };

    public static Option<string> DType() =>
        new("--dtype")
        {
            Description = "Weight and compute type: float32 or bfloat16.",
            DefaultValueFactory = _ => "float32",
        };

    public static Option<bool> Json() => new("--json") { Description = "Machine-readable JSON output." };

    public static DeviceOptions ToDevice(string device, string dtype)
    {
        var options = new DeviceOptions(device, dtype);
        _ = options.ScalarType; // validate now, with the option's name in the message
        _ = options.TorchDevice;
        return options;
    }
}
