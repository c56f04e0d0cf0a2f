namespace Ponder.Tests.Runs;

/// <summary>Reads the scalars of TensorBoard event files: records are [u64 length][u32 crc][Event][u32 crc], an Event
/// a protobuf with step (field 2, varint) and summary (field 5) holding values (field 1) of tag (1, string) and
/// simple_value (2, float).</summary>
static class TensorBoardEvents
{
    public static IReadOnlyList<(string Tag, long Step, float Value)> Read(string dir)
    {
        var scalars = new List<(string, long, float)>();
        if (!Directory.Exists(dir))
            return scalars;
        foreach (var file in Directory.GetFiles(dir, "events.out.tfevents.*", SearchOption.AllDirectories).Order())
        {
            var bytes = File.ReadAllBytes(file);
            for (int at = 0; at + 12 <= bytes.Length; )
            {
                int length = (int)BitConverter.ToUInt64(bytes, at);
                var data = bytes.AsSpan(at + 12, length);
                at += 12 + length + 4;
                long step = 0;
                byte[]? summary = null;
                foreach (var (field, value, bytesValue) in Fields(data.ToArray()))
                {
                    if (field == 2)
                        step = value;
                    else if (field == 5)
                        summary = bytesValue;
                }
                if (summary is null)
                    continue;
                foreach (var (_, _, v) in Fields(summary).Where(f => f.Field == 1))
                {
                    var parts = Fields(v!).ToArray();
                    string tag = System.Text.Encoding.UTF8.GetString(parts.First(p => p.Field == 1).Bytes!);
                    float simple = BitConverter.ToSingle(
                        BitConverter.GetBytes((int)parts.First(p => p.Field == 2).Value)
                    );
                    scalars.Add((tag, step, simple));
                }
            }
        }
        return scalars;
    }

    /// <summary>The fields of one protobuf message: varints and fixed32 as values, length-delimited as bytes.</summary>
    static IEnumerable<(int Field, long Value, byte[]? Bytes)> Fields(byte[] message)
    {
        int at = 0;
        while (at < message.Length)
        {
            long key = Varint(message, ref at);
            int field = (int)(key >> 3),
                wire = (int)(key & 7);
            switch (wire)
            {
                case 0:
                    yield return (field, Varint(message, ref at), null);
                    break;
                case 1:
                    yield return (field, BitConverter.ToInt64(message, at), null);
                    at += 8;
                    break;
                case 2:
                    int length = (int)Varint(message, ref at);
                    yield return (field, 0, message[at..(at + length)]);
                    at += length;
                    break;
                case 5:
                    yield return (field, BitConverter.ToInt32(message, at), null);
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"protobuf wire type {wire}");
            }
        }
    }

    static long Varint(byte[] message, ref int at)
    {
        long value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = message[at++];
            value |= (long)(b & 0x7F) << shift;
            if (b < 0x80)
                return value;
        }
    }
}
