using TorchSharp;

namespace Ponder.Checkpoints;

/// <summary>The safetensors dtype names ("F32", "BF16", …) and their TorchSharp scalar types and byte sizes.</summary>
public static class SafeTensorsDType
{
    static readonly (string Name, torch.ScalarType Type, int Size)[] Table =
    [
        ("F64", torch.ScalarType.Float64, 8),
        ("F32", torch.ScalarType.Float32, 4),
        ("F16", torch.ScalarType.Float16, 2),
        ("BF16", torch.ScalarType.BFloat16, 2),
        ("I64", torch.ScalarType.Int64, 8),
        ("I32", torch.ScalarType.Int32, 4),
        ("I16", torch.ScalarType.Int16, 2),
        ("I8", torch.ScalarType.Int8, 1),
        ("U8", torch.ScalarType.Byte, 1),
        ("BOOL", torch.ScalarType.Bool, 1),
    ];

    /// <summary>The dtype names this reader and writer support.</summary>
    public static IReadOnlyList<string> Names { get; } = Table.Select(e => e.Name).ToArray();

    /// <summary>Looks up a safetensors dtype name (case-sensitive, as the format defines it).</summary>
    public static bool TryParse(string name, out torch.ScalarType type, out int size)
    {
        foreach (var e in Table)
        {
            if (e.Name == name)
            {
                type = e.Type;
                size = e.Size;
                return true;
            }
        }
        type = default;
        size = 0;
        return false;
    }

    /// <summary>The safetensors name of <paramref name="type"/>; throws <see cref="PonderException"/> for types the
    /// format lacks.</summary>
    public static string NameOf(torch.ScalarType type, string tensorName)
    {
        foreach (var e in Table)
        {
            if (e.Type == type)
                return e.Name;
        }
        throw new PonderException(
            $"tensor \"{tensorName}\": dtype {type} cannot be stored in safetensors; supported: "
                + $"{string.Join(", ", Names)}."
        );
    }

    /// <summary>Bytes per element of <paramref name="type"/> (one of the supported types).</summary>
    public static int SizeOf(torch.ScalarType type) => Table.First(e => e.Type == type).Size;

    /// <summary>F16, BF16, F32 and F64: the types a load-time dtype conversion applies to.</summary>
    public static bool IsFloatingPoint(torch.ScalarType type) =>
        type
            is torch.ScalarType.Float16
                or torch.ScalarType.BFloat16
                or torch.ScalarType.Float32
                or torch.ScalarType.Float64;
}
