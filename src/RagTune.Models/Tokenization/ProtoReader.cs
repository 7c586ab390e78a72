namespace RagTune.Models.Tokenization;

/// <summary>
/// The protobuf wire format, just enough to walk a message: yields (field number, varint or fixed value, bytes
/// of a length-delimited field). See protobuf.dev/programming-guides/encoding.
/// </summary>
internal static class ProtoReader
{
    public static IEnumerable<(int Field, ulong Value, byte[]? Bytes)> Fields(byte[] data)
    {
        var pos = 0;
        while (pos < data.Length)
        {
            var key = ReadVarint(data, ref pos);
            var field = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case 0:
                    yield return (field, ReadVarint(data, ref pos), null);
                    break;
                case 1:
                    yield return (field, BitConverter.ToUInt64(data, pos), null);
                    pos += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(data, ref pos);
                    if (length < 0 || pos + length > data.Length) throw new InvalidDataException($"field {field} overruns the data");
                    yield return (field, 0, data.AsSpan(pos, length).ToArray());
                    pos += length;
                    break;
                case 5:
                    yield return (field, BitConverter.ToUInt32(data, pos), null);
                    pos += 4;
                    break;
                default:
                    throw new InvalidDataException($"unsupported protobuf wire type {key & 7} at byte {pos}");
            }
        }
    }

    static ulong ReadVarint(byte[] data, ref int pos)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = data[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return result;
        }
        throw new InvalidDataException("varint longer than 10 bytes");
    }
}
