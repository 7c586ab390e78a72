using System.Text;
using static TorchSharp.torch;

namespace RagTune.Models.Gguf;

/// <summary>
/// A GGUF file (version 2 or 3, little-endian) opened for reading: its metadata and tensor directory are parsed and
/// validated up front (every length, count, type, offset and size is checked against the file before anything is
/// allocated), tensor data is read on demand. Anything malformed is a <see cref="ModelLoadException"/> naming the file
/// and, where one is involved, the key or tensor — never a crash. Metadata values are .NET values: integers and floats
/// of their GGUF width, <c>bool</c>, <c>string</c>, and arrays as typed .NET arrays (<c>string[]</c>, <c>int[]</c>, …).
/// </summary>
public sealed class GgufFile : IDisposable
{
    /// <summary>"GGUF" read as a little-endian uint32.</summary>
    public const uint Magic = 0x46554747;

    /// <summary>Alignment of the data section when <c>general.alignment</c> is absent.</summary>
    public const int DefaultAlignment = 32;

    const int MaxDimensions = 4;
    readonly Microsoft.Win32.SafeHandles.SafeFileHandle _handle;
    readonly Dictionary<string, GgufTensorInfo> _byName;

    GgufFile(string path, Microsoft.Win32.SafeHandles.SafeFileHandle handle, int version, Dictionary<string, object> metadata,
        List<GgufTensorInfo> tensors, long dataOffset, int alignment)
    {
        FilePath = path;
        _handle = handle;
        Version = version;
        Metadata = metadata;
        Tensors = tensors;
        DataOffset = dataOffset;
        Alignment = alignment;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The file's path.</summary>
    public string FilePath { get; }

    /// <summary>GGUF version (2 or 3).</summary>
    public int Version { get; }

    /// <summary>Metadata in file order of keys.</summary>
    public IReadOnlyDictionary<string, object> Metadata { get; }

    /// <summary>Tensor directory in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>Absolute file offset of the data section.</summary>
    public long DataOffset { get; }

    /// <summary>Alignment of tensor data.</summary>
    public int Alignment { get; }

    /// <summary>Opens and validates <paramref name="path"/>.</summary>
    /// <exception cref="ModelLoadException">Not a GGUF file, an unsupported version, or a malformed header.</exception>
    public static GgufFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new ModelLoadException($"{path}: GGUF file not found.", path);
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            return Parse(path, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    static GgufFile Parse(string path, Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        var length = RandomAccess.GetLength(handle);
        // A stream of its own for the header: disposing a FileStream built on `handle` would close the handle.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var r = new HeaderReader(stream, length, path);
        if (length < 24 || r.U32() != Magic)
            throw new ModelLoadException($"{path}: not a GGUF file (expected the magic bytes 'GGUF' at offset 0).", path);
        var version = r.U32();
        if (version is 0x02000000 or 0x03000000)
            throw new ModelLoadException($"{path}: big-endian GGUF files are not supported (this reader is little-endian).", path);
        if (version is not (2 or 3))
            throw new ModelLoadException($"{path}: GGUF version {version} is not supported (expected 2 or 3; version 1 files need re-conversion).", path);
        var tensorCount = r.Count("tensor count", 8 + 4 + 8 * 1 + 4 + 8);
        var kvCount = r.Count("metadata count", 8 + 4);
        var metadata = new Dictionary<string, object>(StringComparer.Ordinal);
        for (long i = 0; i < kvCount; i++)
        {
            var key = r.String("metadata key");
            var type = (GgufValueType)r.U32();
            var value = r.Value(type, key, depth: 0);
            if (!metadata.TryAdd(key, value)) throw r.Error($"metadata key '{key}' appears twice");
        }
        var alignment = DefaultAlignment;
        if (metadata.TryGetValue("general.alignment", out var a))
        {
            alignment = a is uint u && u > 0 && u <= 1 << 20 && (u & (u - 1)) == 0
                ? (int)u
                : throw r.Error($"general.alignment = {a} ({a.GetType().Name}) must be a power of two uint32");
        }
        var tensors = new List<GgufTensorInfo>((int)tensorCount);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (long i = 0; i < tensorCount; i++)
        {
            var name = r.String("tensor name");
            var nDims = r.U32();
            if (nDims is 0 or > MaxDimensions) throw new ModelLoadException($"{path}: tensor '{name}' has {nDims} dimensions (expected 1..{MaxDimensions}).", path, name);
            var dims = new long[nDims];
            long elements = 1;
            for (var d = 0; d < nDims; d++)
            {
                var n = r.U64();
                if (n == 0 || n > (ulong)length * 8)
                    throw new ModelLoadException($"{path}: tensor '{name}' dimension {d} = {n} is impossible for a {length}-byte file.", path, name);
                dims[d] = (long)n;
                elements = checked(elements * (long)n);
            }
            var typeTag = r.U32();
            var type = (GgmlType)typeTag;
            if (!GgmlTypes.IsKnown(type))
                throw new ModelLoadException($"{path}: tensor '{name}' has ggml type {typeTag}, which this reader does not support (supported: {string.Join(", ", Enum.GetNames<GgmlType>())}).", path, name);
            if (dims[0] % GgmlTypes.BlockSize(type) != 0)
                throw new ModelLoadException($"{path}: tensor '{name}' of type {type} has rows of {dims[0]} elements, not a multiple of its block size {GgmlTypes.BlockSize(type)}.", path, name);
            var offset = r.U64();
            if (offset % (ulong)alignment != 0)
                throw new ModelLoadException($"{path}: tensor '{name}' data offset {offset} is not a multiple of the alignment {alignment}.", path, name);
            if (!names.Add(name)) throw new ModelLoadException($"{path}: tensor '{name}' appears twice.", path, name);
            tensors.Add(new GgufTensorInfo(name, dims, type, offset > (ulong)length ? long.MaxValue : (long)offset));
        }
        var dataOffset = (r.Position + alignment - 1) / alignment * alignment;
        var dataLength = length - dataOffset;
        foreach (var t in tensors)
            if (t.Offset > dataLength || t.ByteSize > dataLength - t.Offset)
                throw new ModelLoadException(
                    $"{path}: tensor '{t.Name}' ({t.Type}, [{string.Join(",", t.Dimensions)}], {t.ByteSize} bytes at data offset {t.Offset}) runs past the end of the file (data section holds {Math.Max(0, dataLength)} bytes). HINT: the file is truncated.",
                    path, t.Name);
        return new GgufFile(path, handle, (int)version, metadata, tensors, dataOffset, alignment);
    }

    /// <summary>The tensor named <paramref name="name"/>, or null.</summary>
    public GgufTensorInfo? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The tensor named <paramref name="name"/>.</summary>
    /// <exception cref="ModelLoadException">No such tensor.</exception>
    public GgufTensorInfo Tensor(string name) => Find(name)
        ?? throw new ModelLoadException($"{FilePath}: no tensor named '{name}'.", FilePath, name);

    /// <summary>The raw bytes of a tensor as stored.</summary>
    public byte[] ReadBytes(GgufTensorInfo tensor)
    {
        if (tensor.ByteSize > Array.MaxLength)
            throw new ModelLoadException($"{FilePath}: tensor '{tensor.Name}' is larger than 2 GiB, which this reader does not support.", FilePath, tensor.Name);
        var bytes = new byte[tensor.ByteSize];
        long done = 0;
        while (done < bytes.Length)
        {
            var n = RandomAccess.Read(_handle, bytes.AsSpan((int)done), DataOffset + tensor.Offset + done);
            if (n <= 0) throw new ModelLoadException($"{FilePath}: unexpected end of file in tensor '{tensor.Name}'.", FilePath, tensor.Name);
            done += n;
        }
        return bytes;
    }

    /// <summary>A tensor's values widened to float32 (block types dequantized).</summary>
    public float[] ReadFloats(GgufTensorInfo tensor) => GgmlQuantization.Dequantize(tensor.Type, ReadBytes(tensor), tensor.ElementCount);

    /// <summary>A tensor as a float32 PyTorch tensor of shape <see cref="GgufTensorInfo.Shape"/>.</summary>
    public Tensor ReadTensor(string name)
    {
        var info = Tensor(name);
        return tensor(ReadFloats(info), info.Shape, ScalarType.Float32);
    }

    /// <summary>A metadata value of type <typeparamref name="T"/>, or default when absent.</summary>
    /// <exception cref="ModelLoadException">Present with another type.</exception>
    public T? Get<T>(string key)
    {
        if (!Metadata.TryGetValue(key, out var value)) return default;
        return value is T t ? t : throw new ModelLoadException($"{FilePath}: metadata '{key}' is {Describe(value)}, expected {typeof(T).Name}.", FilePath);
    }

    /// <summary>An integer metadata value of any integer GGUF type, or null when absent.</summary>
    public long? GetInteger(string key) => Metadata.TryGetValue(key, out var v) ? v switch
    {
        byte b => b, sbyte b => b, ushort s => s, short s => s, uint u => u, int i => i, ulong u => (long)u, long l => l,
        _ => throw new ModelLoadException($"{FilePath}: metadata '{key}' is {Describe(v)}, expected an integer.", FilePath),
    } : null;

    /// <summary>A floating-point metadata value (float32 or float64), or null when absent.</summary>
    public double? GetNumber(string key) => Metadata.TryGetValue(key, out var v) ? v switch
    {
        float f => f, double d => d,
        _ => GetInteger(key),
    } : null;

    /// <summary>An integer metadata value that must be present.</summary>
    public long RequireInteger(string key) => GetInteger(key)
        ?? throw new ModelLoadException($"{FilePath}: metadata '{key}' is required but missing.", FilePath);

    static string Describe(object value) => value is Array a ? $"an array of {a.Length} {a.GetType().GetElementType()!.Name}" : $"a {value.GetType().Name} ({value})";

    /// <inheritdoc/>
    public void Dispose() => _handle.Dispose();

    /// <summary>Reads the header with every length checked against what is left of the file.</summary>
    sealed class HeaderReader(Stream stream, long length, string path)
    {
        readonly BinaryReader _r = new(stream, Encoding.UTF8, leaveOpen: true);

        public long Position { get; private set; }

        public ModelLoadException Error(string message) => new($"{path}: {message} (header offset {Position}).", path);

        void Need(long bytes, string what)
        {
            if (bytes < 0 || bytes > length - Position) throw Error($"{what} needs {bytes} bytes but the file ends first. HINT: the file is truncated or not GGUF");
        }

        public uint U32() { Need(4, "a uint32"); Position += 4; return _r.ReadUInt32(); }

        public ulong U64() { Need(8, "a uint64"); Position += 8; return _r.ReadUInt64(); }

        /// <summary>A count, bounded by how many entries of at least <paramref name="minEntryBytes"/> the file could hold.</summary>
        public long Count(string what, int minEntryBytes)
        {
            var n = U64();
            if (n > (ulong)((length - Position) / minEntryBytes + 1)) throw Error($"{what} {n} cannot fit in a {length}-byte file");
            return (long)n;
        }

        public string String(string what)
        {
            var n = U64();
            if (n > (ulong)(length - Position)) throw Error($"{what} length {n} runs past the end of the file");
            var bytes = _r.ReadBytes((int)n);
            if (bytes.Length != (int)n) throw Error($"{what} is truncated");
            Position += (long)n;
            return Encoding.UTF8.GetString(bytes);
        }

        public object Value(GgufValueType type, string key, int depth)
        {
            switch (type)
            {
                case GgufValueType.UInt8: Need(1, key); Position += 1; return _r.ReadByte();
                case GgufValueType.Int8: Need(1, key); Position += 1; return _r.ReadSByte();
                case GgufValueType.UInt16: Need(2, key); Position += 2; return _r.ReadUInt16();
                case GgufValueType.Int16: Need(2, key); Position += 2; return _r.ReadInt16();
                case GgufValueType.UInt32: return U32();
                case GgufValueType.Int32: Need(4, key); Position += 4; return _r.ReadInt32();
                case GgufValueType.Float32: Need(4, key); Position += 4; return _r.ReadSingle();
                case GgufValueType.UInt64: return U64();
                case GgufValueType.Int64: Need(8, key); Position += 8; return _r.ReadInt64();
                case GgufValueType.Float64: Need(8, key); Position += 8; return _r.ReadDouble();
                case GgufValueType.Bool:
                    Need(1, key);
                    Position += 1;
                    var b = _r.ReadByte();
                    return b <= 1 ? b == 1 : throw Error($"metadata '{key}': bool byte {b} is not 0 or 1");
                case GgufValueType.String: return String($"metadata '{key}' string");
                case GgufValueType.Array:
                    if (depth > 2) throw Error($"metadata '{key}': arrays nested deeper than 3 levels");
                    var elementType = (GgufValueType)U32();
                    var count = Count($"metadata '{key}' array length", elementType is GgufValueType.String ? 8 : 1);
                    return elementType switch
                    {
                        GgufValueType.UInt8 => Fill<byte>(count, key, elementType, depth),
                        GgufValueType.Int8 => Fill<sbyte>(count, key, elementType, depth),
                        GgufValueType.UInt16 => Fill<ushort>(count, key, elementType, depth),
                        GgufValueType.Int16 => Fill<short>(count, key, elementType, depth),
                        GgufValueType.UInt32 => Fill<uint>(count, key, elementType, depth),
                        GgufValueType.Int32 => Fill<int>(count, key, elementType, depth),
                        GgufValueType.Float32 => Fill<float>(count, key, elementType, depth),
                        GgufValueType.Bool => Fill<bool>(count, key, elementType, depth),
                        GgufValueType.String => Fill<string>(count, key, elementType, depth),
                        GgufValueType.UInt64 => Fill<ulong>(count, key, elementType, depth),
                        GgufValueType.Int64 => Fill<long>(count, key, elementType, depth),
                        GgufValueType.Float64 => Fill<double>(count, key, elementType, depth),
                        GgufValueType.Array => Fill<object>(count, key, elementType, depth),
                        _ => throw Error($"metadata '{key}': unknown array element type {(uint)elementType}"),
                    };
                default:
                    throw Error($"metadata '{key}': unknown value type {(uint)type}");
            }
        }

        T[] Fill<T>(long count, string key, GgufValueType elementType, int depth)
        {
            var items = new T[count];
            for (long i = 0; i < count; i++) items[i] = (T)Value(elementType, key, depth + 1);
            return items;
        }
    }
}
