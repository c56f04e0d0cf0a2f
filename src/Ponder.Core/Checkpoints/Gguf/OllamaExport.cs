using System.Text;

namespace Ponder.Checkpoints.Gguf;

/// <summary>
/// An Ollama model folder: <c>model.gguf</c> and a <c>Modelfile</c> (<c>FROM ./model.gguf</c>, the TEMPLATE of the
/// model's chat format, its stop strings and default system prompt). <c>ollama create NAME -f DIR/Modelfile</c>
/// imports it.
/// </summary>
public static class OllamaExport
{
    public const string GgufFile = "model.gguf";
    public const string ModelfileName = "Modelfile";

    /// <summary>Exports the model directory <paramref name="dir"/> into the folder <paramref name="outDir"/>.</summary>
    public static OllamaFormat FromDirectory(string dir, string outDir, GgufType type)
    {
        if (File.Exists(outDir))
            throw new PonderException($"--out {outDir}: is a file; give a folder for the GGUF and the Modelfile.");
        var config = ModelDirectory.LoadConfig(dir);
        var vocabulary = GgufVocabulary.FromDirectory(dir, config);
        var format =
            OllamaFormats.Recognize(vocabulary.ChatTemplate)
            ?? throw new PonderException(
                $"{dir}: the model's chat template is none Ponder can write for Ollama (ChatML, ChatML with "
                    + "<think>, Llama 3); export the GGUF alone (ponder export gguf), which carries the Jinja template."
            );
        try
        {
            Directory.CreateDirectory(outDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PonderException($"--out {outDir}: cannot create the folder ({e.Message}).", e);
        }
        GgufExport.FromDirectory(dir, Path.Combine(outDir, GgufFile), type);
        string modelfile = Modelfile(format, OllamaFormats.DefaultSystem(vocabulary.ChatTemplate));
        AtomicFile.WriteAllText(Path.Combine(outDir, ModelfileName), modelfile);
        return format;
    }

    /// <summary>The Modelfile text.</summary>
    public static string Modelfile(OllamaFormat format, string? system)
    {
        ArgumentNullException.ThrowIfNull(format);
        var s = new StringBuilder();
        s.Append("# ").Append(format.Name).Append(" — written by ponder export ollama\n");
        s.Append("FROM ./").Append(GgufFile).Append('\n');
        s.Append("TEMPLATE \"\"\"").Append(format.Template).Append("\"\"\"\n");
        if (system is not null)
            s.Append("SYSTEM \"\"\"").Append(system).Append("\"\"\"\n");
        foreach (string stop in format.Stops)
            s.Append("PARAMETER stop \"").Append(stop).Append("\"\n");
        return s.ToString();
    }
}
