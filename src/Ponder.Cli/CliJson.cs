using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ponder.Cli;

/// <summary>JSON as the CLI prints it: one compact object per line, non-ASCII text left readable.</summary>
static class CliJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Line(object value) => JsonSerializer.Serialize(value, Options);
}
