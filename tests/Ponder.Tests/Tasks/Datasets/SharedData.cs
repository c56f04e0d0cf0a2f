namespace Ponder.Tests.Tasks.Datasets;

/// <summary>Finds the benchmark files in <c>shared/data</c>, a sibling of the repository folder (locally
/// /work/shared/data; in CI <c>&lt;clone&gt;/../shared/data</c>), by walking up from the test binaries.</summary>
static class SharedData
{
    public static string File(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", name);
            if (System.IO.File.Exists(candidate))
                return candidate;
        }
        Assert.Fail(
            $"shared/data/{name} not found: expected a folder shared/data beside the repository "
                + $"(searched upward from {AppContext.BaseDirectory}); copy the benchmark data there"
        );
        return "";
    }
}
