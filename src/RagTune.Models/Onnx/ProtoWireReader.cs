using System.Buffers.Binary;
using System.Text;

namespace RagTune.Models.Onnx;

/// <summary>
/// Protocol Buffers wire format (https://protobuf.dev/programming-guides/encoding/): just enough to walk the fields of
/// the ONNX messages the importer reads. Unknown fields are skipped by wire type, so newer ONNX files still parse.
/// Malformed input (a length past the end, a bad wire type) throws <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class ProtoWireReader(ReadOnlyMemory<byte> buffer)
{
    int _position;

    public bool AtEnd => _position >= buffer.Length;

    /// <summary>Reads a field key: (field number, wire type).</summary>
    public (int Field, int WireType) ReadKey()
    {
        var key = ReadVarint();
        return ((int)(key >> 3), (int)(key & 7));
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        var span = buffer.Span;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= span.Length) throw new InvalidDataException("the protobuf stream ends inside a varint (truncated file?)");
            var b = span[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new InvalidDataException("a protobuf varint is longer than 10 bytes");
    }

    public long ReadInt64() => (long)ReadVarint();

    public float ReadFixed32Float() => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(Take(4).Span));

    /// <summary>A length-delimited field's bytes (a string, bytes, a sub-message or a packed array).</summary>
    public ReadOnlyMemory<byte> ReadBytes()
    {
        var length = ReadVarint();
        if (length > (ulong)(buffer.Length - _position))
            throw new InvalidDataException($"a protobuf field claims {length} bytes but only {buffer.Length - _position} remain (truncated file?)");
        return Take((int)length);
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBytes().Span);

    public ProtoWireReader ReadMessage() => new(ReadBytes());

    /// <summary>Skips a field of the given wire type.</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case 0: ReadVarint(); break;
            case 1: Take(8); break;
            case 2: ReadBytes(); break;
            case 5: Take(4); break;
            default: throw new InvalidDataException($"unsupported protobuf wire type {wireType} (not an ONNX file?)");
        }
    }

    /// <summary>Appends a repeated int64 field's value(s): packed (wire type 2) or one varint.</summary>
    public void ReadInt64s(int wireType, List<long> into)
    {
        if (wireType != 2) { into.Add(ReadInt64()); return; }
        var packed = ReadMessage();
        while (!packed.AtEnd) into.Add(packed.ReadInt64());
    }

    /// <summary>Appends a repeated float field's value(s): packed (wire type 2) or one fixed32.</summary>
    public void ReadFloats(int wireType, List<float> into)
    {
        if (wireType != 2) { into.Add(ReadFixed32Float()); return; }
        var packed = ReadBytes().Span;
        if (packed.Length % 4 != 0) throw new InvalidDataException("a packed float array's length is not a multiple of 4");
        for (var i = 0; i < packed.Length; i += 4) into.Add(BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(packed[i..])));
    }

    ReadOnlyMemory<byte> Take(int count)
    {
        if (count > buffer.Length - _position) throw new InvalidDataException("the protobuf stream ends inside a field (truncated file?)");
        var slice = buffer.Slice(_position, count);
        _position += count;
        return slice;
    }
}
