using System.Reflection;
using System.Reflection.Emit;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TorchSharp;

namespace Ponder.Tests.Architecture;

/// <summary>
/// No number reaches libtorch as a TorchSharp <see cref="Scalar"/> that nothing keeps alive. TorchSharp hands a
/// Scalar's handle to native code without keeping the object alive, and a temporary one — made by an implicit
/// conversion, or inside an overload that takes a .NET number — is freed by its finalizer whenever a garbage
/// collection runs, also in the middle of the native call that reads it: a rare, random failure in libtorch
/// ("Expected false to be true" in <c>Scalar::toFloat</c>). Ponder passes scalars from <see cref="Runtime.Scalars"/>.
/// </summary>
public sealed class ScalarLifetimeTests
{
    [Trait(Lanes.Category, Lanes.Slow)]
    [Fact]
    public void Given_the_sources_Then_no_number_reaches_torchsharp_as_a_temporary_scalar()
    {
        var compilation = SourceTree.CompileSources();
        var inspector = new TorchSharpInspector();

        var violations = compilation
            .SyntaxTrees.Where(t => t.FilePath != "ImplicitUsings.cs")
            .SelectMany(t => Violations(t, compilation.GetSemanticModel(t), inspector))
            .ToArray();

        Assert.True(
            violations.Length == 0,
            "numbers passed to TorchSharp as temporary Scalars (use Ponder.Runtime.Scalars):\n"
                + string.Join("\n", violations)
        );
    }

    [Fact]
    public void Given_torchsharp_overloads_Then_the_inspector_sees_which_make_a_scalar_from_a_number()
    {
        // The check above is only as good as this: TorchSharp's (Tensor, double) division makes a Scalar inside,
        // its (Tensor, Scalar) one and unsqueeze(long) do not.
        var inspector = new TorchSharpInspector();
        var tensor = typeof(torch.Tensor);

        Assert.True(inspector.MakesScalar(tensor.GetMethod("op_Division", [tensor, typeof(double)])!));
        Assert.False(inspector.MakesScalar(tensor.GetMethod("op_Division", [tensor, typeof(Scalar)])!));
        Assert.False(inspector.MakesScalar(tensor.GetMethod("unsqueeze", [typeof(long)])!));
    }

    static IEnumerable<string> Violations(SyntaxTree tree, SemanticModel model, TorchSharpInspector inspector)
    {
        foreach (var node in tree.GetRoot().DescendantNodes().OfType<ExpressionSyntax>())
        {
            string? why = null;
            var conversion = model.GetConversion(node);
            if (conversion.IsUserDefined && conversion.MethodSymbol?.ContainingType.Name == nameof(Scalar))
            {
                why = "implicit conversion to Scalar";
            }
            else if (
                node
                    is BinaryExpressionSyntax
                        or PrefixUnaryExpressionSyntax
                        or InvocationExpressionSyntax
                        or AssignmentExpressionSyntax
                && model.GetSymbolInfo(node).Symbol is IMethodSymbol { ContainingAssembly.Name: "TorchSharp" } method
                && inspector.MakesScalar(method)
            )
            {
                why = $"{method.ContainingType.Name}.{method.Name} makes a Scalar from a number";
            }
            if (why is null)
                continue;
            int line = node.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            yield return $"{SourceTree.Relative(tree.FilePath)}:{line}: {why} ({node})";
        }
    }
}

/// <summary>Reads TorchSharp's IL: does a method (or a TorchSharp method it calls) make a Scalar from a .NET number
/// without disposing it?</summary>
sealed class TorchSharpInspector
{
    static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    readonly Assembly torchSharp = typeof(Scalar).Assembly;
    readonly Dictionary<MethodBase, bool> seen = [];

    public bool MakesScalar(IMethodSymbol symbol) => Candidates(symbol).Any(MakesScalar);

    public bool MakesScalar(MethodBase method) => MakesScalar(method, depth: 0);

    bool MakesScalar(MethodBase method, int depth)
    {
        if (seen.TryGetValue(method, out bool known))
            return known;
        seen[method] = false; // recursion guard
        var callees = Callees(method).ToArray();
        bool makes =
            callees.Any(IsScalarFactory) && !callees.Any(c => c.DeclaringType == typeof(Scalar) && c.Name == "Dispose");
        if (!makes && depth < 2)
        {
            makes = callees.Any(c =>
                c.DeclaringType?.Assembly == torchSharp && !IsScalarFactory(c) && MakesScalar(c, depth + 1)
            );
        }
        seen[method] = makes;
        return makes;
    }

    static bool IsScalarFactory(MethodBase m) =>
        (m.DeclaringType == typeof(Scalar) && m.Name == "op_Implicit")
        || (
            m.DeclaringType?.Name == "ScalarExtensionMethods"
            && m.Name.StartsWith("To", StringComparison.Ordinal)
            && m is MethodInfo { ReturnType.Name: nameof(Scalar) }
        );

    IEnumerable<MethodBase> Candidates(IMethodSymbol symbol)
    {
        var type = torchSharp.GetType(MetadataName(symbol.ContainingType));
        if (type is null)
            return [];
        var flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance;
        var methods =
            symbol.MethodKind == MethodKind.Constructor
                ? type.GetConstructors(flags).Cast<MethodBase>()
                : type.GetMethods(flags).Where(m => m.Name == symbol.Name);
        return methods.Where(m =>
            m.GetParameters().Length == symbol.Parameters.Length
            && m.GetParameters()
                .Zip(symbol.Parameters)
                .All(p => p.First.ParameterType.Name == p.Second.Type.MetadataName)
        );
    }

    static string MetadataName(INamedTypeSymbol type) =>
        type.ContainingType is { } outer
            ? MetadataName(outer) + "+" + type.MetadataName
            : $"{type.ContainingNamespace.ToDisplayString()}.{type.MetadataName}";

    static IEnumerable<MethodBase> Callees(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (InvalidOperationException)
        {
            yield break;
        }
        if (il is null)
            yield break;
        var generic = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var genericMethod = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int i = 0;
        while (i < il.Length)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            var op = OpCodesByValue[value];
            i += op.Size;
            if (op.OperandType == OperandType.InlineMethod)
            {
                MethodBase? callee = null;
                try
                {
                    callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, i), generic, genericMethod);
                }
                catch (ArgumentException) { }
                if (callee is not null)
                    yield return callee;
            }
            i += OperandSize(op, il, i);
        }
    }

    static int OperandSize(OpCode op, byte[] il, int at) =>
        op.OperandType switch
        {
            OperandType.InlineNone => 0,
            OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
            OperandType.InlineVar => 2,
            OperandType.InlineI8 or OperandType.InlineR => 8,
            OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
            _ => 4,
        };
}
