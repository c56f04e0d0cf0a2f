namespace Ponder.Tests.Tasks.Datasets;

/// <summary>Writes small JSONL files for loader tests.</summary>
static class DatasetFiles
{
    public static string Write(TempDir dir, params string[] lines)
    {
        var path = dir.File("data.jsonl");
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }
}
