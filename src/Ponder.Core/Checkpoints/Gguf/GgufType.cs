namespace Ponder.Checkpoints.Gguf;

/// <summary>The tensor types Ponder writes, with their ggml type ids.</summary>
public enum GgufType
{
    F32 = 0,
    F16 = 1,

    /// <summary>Q8_0: blocks of 32 signed bytes with one float16 scale.</summary>
    Q8 = 8,
    BF16 = 30,
}

/// <summary>Names, sizes and file types of <see cref="GgufType"/>.</summary>
public static class GgufTypes
{
    /// <summary>Elements per Q8_0 block: one float16 scale and 32 signed bytes.</summary>
    public const int Q8Block = 32;

    const int Q8BlockBytes = 2 + Q8Block;

    /// <summary>The names <c>--type</c> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["f32", "f16", "bf16", "q8_0"];

    public static GgufType Parse(string name) =>
        name.ToLowerInvariant() switch
        {
            "f32" => GgufType.F32,
            "f16" => GgufType.F16,
            "bf16" => GgufType.BF16,
            "q8_0" => GgufType.Q8,
            _ => throw new PonderException(
                $"--type {name}: unknown GGUF tensor type; use one of {string.Join(", ", Names)}."
            ),
        };

    public static string Name(GgufType type) => type == GgufType.Q8 ? "q8_0" : type.ToString().ToLowerInvariant();

    /// <summary><c>general.file_type</c>: the llama_ftype of a file whose matrices are of this type.</summary>
    public static uint FileType(GgufType type) =>
        type switch
        {
            GgufType.F32 => 0,
            GgufType.F16 => 1,
            GgufType.Q8 => 7,
            GgufType.BF16 => 32,
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
        };

    /// <summary>Bytes of one row of <paramref name="columns"/> elements.</summary>
    public static long RowBytes(GgufType type, long columns) =>
        type switch
        {
            GgufType.F32 => 4 * columns,
            GgufType.F16 or GgufType.BF16 => 2 * columns,
            GgufType.Q8 => columns / Q8Block * Q8BlockBytes,
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
        };
}
