using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ponder.Tests.Architecture;

/// <summary>The walls of docs/ARCHITECTURE.md, checked on the sources: project references, which namespace uses
/// which (resolved by the compiler, so a fully qualified name counts as much as a using), and the size limits of
/// CONTRIBUTING.md.</summary>
public sealed class ArchitectureTests
{
    const int MaxFileLines = 400,
        MaxMethodLines = 60,
        MaxLineLength = 120;

    [Fact]
    public void Given_the_projects_Then_each_references_only_the_projects_and_packages_it_may()
    {
        var projects = SourceTree.ProjectReferences();

        Assert.Equal(Layers.Projects.Keys.Order(), projects.Keys.Order());
        var wrong = projects
            .SelectMany(p => p.Value.Where(r => !Layers.Projects[p.Key].Contains(r)).Select(r => $"{p.Key} → {r}"))
            .ToArray();
        Assert.True(wrong.Length == 0, "references docs/ARCHITECTURE.md does not allow: " + string.Join("; ", wrong));
    }

    [Fact]
    public void Given_the_engine_Then_it_references_no_io_adapter_package()
    {
        var core = SourceTree.ProjectReferences()["Ponder.Core"];

        Assert.DoesNotContain("ScottPlot", core);
        Assert.DoesNotContain("Microsoft.Data.Sqlite", core);
        Assert.DoesNotContain("OpenAI", core);
        Assert.DoesNotContain("LLamaSharp", core);
        Assert.DoesNotContain("LLamaSharp.Backend.Cpu", core);
    }

    [Trait(Lanes.Category, Lanes.Slow)]
    [Fact]
    public void Given_the_sources_Then_every_area_uses_only_the_areas_it_may()
    {
        var compilation = SourceTree.CompileSources();
        // CS8795: [GeneratedRegex] methods, whose bodies the regex source generator writes at build time.
        var errors = compilation
            .GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8795")
            .Take(5)
            .ToArray();
        Assert.True(errors.Length == 0, "the sources must compile to be checked: " + string.Join("\n", errors));

        var violations = compilation
            .SyntaxTrees.Where(t => t.FilePath != "ImplicitUsings.cs")
            .SelectMany(t => Violations(t, compilation.GetSemanticModel(t)))
            .Distinct()
            .ToArray();

        Assert.True(violations.Length == 0, "dependencies against the layers:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Given_a_task_that_uses_a_rollout_Then_the_dependency_check_names_it()
    {
        // The check above must be able to fail: Tasks is below Rollouts, so a task may not use a Rollout.
        var trees = new[]
        {
            CSharpSyntaxTree.ParseText("namespace Ponder.Rollouts; public sealed class Rollout { }", path: "R.cs"),
            CSharpSyntaxTree.ParseText(
                "namespace Ponder.Tasks; public static class T { public static object? M() => "
                    + "(Rollouts.Rollout?)null; }",
                path: "T.cs"
            ),
        };
        var compilation = CSharpCompilation.Create(
            "Probe",
            trees,
            [MetadataReference.CreateFromFile(typeof(object).Assembly.Location)],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
        );

        var found = trees.SelectMany(t => Violations(t, compilation.GetSemanticModel(t))).ToArray();

        Assert.Equal("Tasks uses Rollouts", Assert.Single(found).Split(": ")[1].Split(" (")[0]);
    }

    [Fact]
    public void Given_the_engine_Then_every_namespace_it_declares_is_one_of_the_layers()
    {
        var areas = SourceTree
            .CSharpFiles("src/Ponder.Core")
            .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f)).GetRoot())
            .SelectMany(r => r.DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>())
            .Select(n => Layers.AreaOf(n.Name.ToString()))
            .Distinct()
            .ToArray();

        Assert.All(areas, a => Assert.Contains(a, Layers.Engine));
    }

    static IEnumerable<string> Violations(SyntaxTree tree, SemanticModel model)
    {
        var root = tree.GetRoot();
        string? ns = root.DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>().FirstOrDefault()?.Name.ToString();
        string? from = ns is null ? null : Layers.AreaOf(ns);
        if (from is null)
            yield break;
        foreach (var node in root.DescendantNodes().Where(n => n is SimpleNameSyntax))
        {
            var info = model.GetSymbolInfo(node);
            var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
            var target = symbol switch
            {
                INamespaceSymbol n => n,
                INamedTypeSymbol t => t.ContainingNamespace,
                { ContainingType: { } type } => type.ContainingNamespace,
                _ => null,
            };
            string? to = target is null ? null : Layers.AreaOf(target.ToDisplayString());
            if (to is null || Layers.Allows(from, to) || (symbol is INamespaceSymbol && IsPartOfLongerName(node)))
                continue;
            int line = node.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            yield return $"{SourceTree.Relative(tree.FilePath)}:{line}: {from} uses {to} ({node})";
        }
    }

    /// <summary>"Ponder" in "Ponder.Tasks" resolves to the root namespace; only the whole name says which
    /// area.</summary>
    static bool IsPartOfLongerName(SyntaxNode node) =>
        node.Parent is QualifiedNameSyntax q && q.Left == node
        || node.Parent is MemberAccessExpressionSyntax m && m.Expression == node;

    [Fact]
    public void Given_every_source_Then_no_file_is_over_400_lines_and_no_method_over_60()
    {
        var problems = new List<string>();
        foreach (var file in SourceTree.CSharpFiles("src", "tests", "build"))
        {
            var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(file), path: file);
            int lines = tree.GetText().Lines.Count;
            if (lines > MaxFileLines)
                problems.Add($"{SourceTree.Relative(file)}: {lines} lines");
            foreach (var (name, span) in Members(tree))
            {
                int length = span.EndLinePosition.Line - span.StartLinePosition.Line + 1;
                string at = $"{SourceTree.Relative(file)}:{span.StartLinePosition.Line + 1}";
                if (length > MaxMethodLines)
                    problems.Add($"{at}: {name} {length} lines");
            }
        }

        Assert.True(problems.Count == 0, "over the size limits of CONTRIBUTING.md:\n" + string.Join("\n", problems));
    }

    static IEnumerable<(string Name, FileLinePositionSpan Span)> Members(SyntaxTree tree) =>
        tree.GetRoot()
            .DescendantNodes()
            .Select(n =>
                n switch
                {
                    MethodDeclarationSyntax m => m.Identifier.Text,
                    ConstructorDeclarationSyntax c => c.Identifier.Text + "()",
                    LocalFunctionStatementSyntax l => l.Identifier.Text,
                    AccessorDeclarationSyntax a => a.Keyword.Text,
                    OperatorDeclarationSyntax o => "operator " + o.OperatorToken.Text,
                    ConversionOperatorDeclarationSyntax c => "operator " + c.Type,
                    PropertyDeclarationSyntax { ExpressionBody: not null } p => p.Identifier.Text,
                    IndexerDeclarationSyntax { ExpressionBody: not null } => "this[]",
                    _ => null,
                }
                    is { } name
                    ? (name, tree.GetLineSpan(n.Span))
                    : default
            )
            .Where(m => m.Item1 is not null)
            .Select(m => (m.Item1!, m.Item2));

    [Fact]
    public void Given_every_source_Then_lines_are_at_most_120_characters_unless_a_literal_cannot_break()
    {
        var problems = new List<string>();
        foreach (var file in SourceTree.CSharpFiles("src", "tests", "build"))
        {
            var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(file), path: file);
            var text = tree.GetText();
            foreach (var line in text.Lines.Where(l => l.Span.Length > MaxLineLength))
            {
                if (!HoldsUnbreakableLiteral(tree.GetRoot(), line.Span))
                    problems.Add($"{SourceTree.Relative(file)}:{line.LineNumber + 1}: {line.Span.Length} characters");
            }
        }

        Assert.True(problems.Count == 0, "lines over 120 characters:\n" + string.Join("\n", problems));
    }

    /// <summary>Raw and verbatim strings (JSON bodies, regexes, templates) are kept as their consumer reads them;
    /// regular and interpolated strings can always be split with +.</summary>
    static bool HoldsUnbreakableLiteral(SyntaxNode root, Microsoft.CodeAnalysis.Text.TextSpan line) =>
        root.DescendantTokens(line)
            .Where(t => t.Span.IntersectsWith(line))
            .Any(t =>
                t.Kind()
                    is SyntaxKind.SingleLineRawStringLiteralToken
                        or SyntaxKind.MultiLineRawStringLiteralToken
                        or SyntaxKind.InterpolatedRawStringEndToken
                        or SyntaxKind.InterpolatedSingleLineRawStringStartToken
                        or SyntaxKind.InterpolatedMultiLineRawStringStartToken
                || (t.IsKind(SyntaxKind.StringLiteralToken) && t.Text.StartsWith('@'))
                || (
                    t.IsKind(SyntaxKind.InterpolatedStringTextToken)
                    && t.Parent?.Parent is InterpolatedStringExpressionSyntax s
                    && s.StringStartToken.Text.Contains("\"\"\"", StringComparison.Ordinal)
                )
            );
}
