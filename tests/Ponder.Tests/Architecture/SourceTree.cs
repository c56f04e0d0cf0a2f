using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Ponder.Tests.Architecture;

/// <summary>The repository's own sources, read from the checkout the tests run in.</summary>
static class SourceTree
{
    /// <summary>The repository root: the nearest folder above the test binaries that holds Ponder.sln.</summary>
    public static string Root { get; } = FindRoot();

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ponder.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no Ponder.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>Every C# source under <paramref name="folders"/> (relative to the root), bin/ and obj/ left
    /// out.</summary>
    public static IReadOnlyList<string> CSharpFiles(params string[] folders) =>
        folders
            .SelectMany(f => Directory.EnumerateFiles(Path.Combine(Root, f), "*.cs", SearchOption.AllDirectories))
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Order(StringComparer.Ordinal)
            .ToArray();

    public static string Relative(string path) => Path.GetRelativePath(Root, path);

    /// <summary>The projects under src/: name → (package and project references).</summary>
    public static IReadOnlyDictionary<string, string[]> ProjectReferences() =>
        Directory
            .EnumerateFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories)
            .ToDictionary(
                p => Path.GetFileNameWithoutExtension(p),
                p =>
                    XDocument
                        .Load(p)
                        .Descendants()
                        .Where(e =>
                            e.Name.LocalName is "PackageReference" or "ProjectReference" or "FrameworkReference"
                        )
                        .Select(e => (string)e.Attribute("Include")!)
                        .Select(r =>
                            r.EndsWith(".csproj", StringComparison.Ordinal) ? Path.GetFileNameWithoutExtension(r) : r
                        )
                        .ToArray()
            );

    /// <summary>One compilation of every project under src/ (as one assembly, so internal types resolve too), with
    /// the implicit usings of Microsoft.NET.Sdk and the assemblies the test host has loaded as references.</summary>
    public static CSharpCompilation CompileSources()
    {
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = CSharpFiles("src")
            .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parse, f))
            .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, parse, "ImplicitUsings.cs"))
            .ToArray();
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(p => !Path.GetFileName(p).StartsWith("Ponder.", StringComparison.Ordinal))
            .Where(p => Path.GetFileName(p) != "ponder.dll")
            .DistinctBy(Path.GetFileName)
            .Select(p => MetadataReference.CreateFromFile(p));
        return CSharpCompilation.Create(
            "PonderSources",
            trees,
            references,
            new CSharpCompilationOptions(
                OutputKind.ConsoleApplication,
                nullableContextOptions: NullableContextOptions.Enable
            )
        );
    }

    const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;
}
