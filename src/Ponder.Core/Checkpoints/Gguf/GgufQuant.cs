using System.Buffers.Binary;

namespace Ponder.Checkpoints.Gguf;

/// <summary>
/// Conversion of float32 rows to the stored types, bit for bit as ggml's reference code and gguf-py do: float16
/// rounds to nearest even, bfloat16 rounds to nearest even (NaN kept quiet), Q8_0 stores per block of 32 the scale
/// d = max|x| / 127 as float16 and round(x / d) (half away from zero) as signed bytes.
/// </summary>
public static class GgufQuant
{
    /// <summary>Encodes <paramref name="values"/> (whole rows) as <paramref name="type"/> into
    /// <paramref name="output"/>, which must be <see cref="GgufTypes.RowBytes"/> of the element count long.</summary>
    public static void Encode(ReadOnlySpan<float> values, GgufType type, Span<byte> output)
    {
        switch (type)
        {
            case GgufType.F32:
                for (int i = 0; i < values.Length; i++)
                    BinaryPrimitives.WriteSingleLittleEndian(output[(4 * i)..], values[i]);
                break;
            case GgufType.F16:
                for (int i = 0; i < values.Length; i++)
                    BinaryPrimitives.WriteHalfLittleEndian(output[(2 * i)..], (Half)values[i]);
                break;
            case GgufType.BF16:
                for (int i = 0; i < values.Length; i++)
                    BinaryPrimitives.WriteUInt16LittleEndian(output[(2 * i)..], ToBFloat16(values[i]));
                break;
            case GgufType.Q8:
                for (int b = 0; b < values.Length / GgufTypes.Q8Block; b++)
                    EncodeQ8Block(values.Slice(b * GgufTypes.Q8Block, GgufTypes.Q8Block), output[(34 * b)..]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, null);
        }
    }

    public static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7fffffff) > 0x7f800000)
            return (ushort)((bits >> 16) | 64); // quiet NaN
        return (ushort)((bits + 0x7fff + ((bits >> 16) & 1)) >> 16);
    }

    public static float FromBFloat16(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);

    static void EncodeQ8Block(ReadOnlySpan<float> x, Span<byte> block)
    {
        float amax = 0;
        foreach (float v in x)
            amax = Math.Max(amax, Math.Abs(v));
        float d = amax / 127;
        float id = d != 0 ? 1 / d : 0;
        BinaryPrimitives.WriteHalfLittleEndian(block, (Half)d);
        for (int j = 0; j < x.Length; j++)
            block[2 + j] = (byte)(sbyte)MathF.Round(x[j] * id, MidpointRounding.AwayFromZero);
    }

    /// <summary>Decodes Q8_0 blocks back to float32 (d · q), as llama.cpp reads them.</summary>
    public static float[] DecodeQ8(ReadOnlySpan<byte> data, int count)
    {
        var result = new float[count];
        for (int b = 0; b < count / GgufTypes.Q8Block; b++)
        {
            var block = data[(34 * b)..];
            float d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
            for (int j = 0; j < GgufTypes.Q8Block; j++)
                result[b * GgufTypes.Q8Block + j] = d * (sbyte)block[2 + j];
        }
        return result;
    }
}
