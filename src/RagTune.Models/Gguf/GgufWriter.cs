using System.Text;

namespace RagTune.Models.Gguf;

/// <summary>
/// Builds a GGUF v3 file: metadata key/values (typed by their .NET type: <c>uint</c> → UINT32, <c>float</c> → FLOAT32,
/// <c>string[]</c> → ARRAY of STRING, …) and tensors whose bytes are produced one at a time while writing, so a large
/// model is never held twice in memory. The file appears atomically (temporary file, then rename).
/// </summary>
public sealed class GgufWriter
{
    readonly List<KeyValuePair<string, object>> _metadata = [];
    readonly List<(GgufTensorInfo Info, Func<byte[]> Data)> _tensors = [];

    /// <summary>Data alignment (written as <c>general.alignment</c> when not the default 32).</summary>
    public int Alignment { get; init; } = GgufFile.DefaultAlignment;

    /// <summary>Sets a metadata value; a key set twice keeps its first position and the last value.</summary>
    public GgufWriter Set(string key, object value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        TypeOf(value); // validates
        var index = _metadata.FindIndex(kv => kv.Key == key);
        if (index >= 0) _metadata[index] = new(key, value);
        else _metadata.Add(new(key, value));
        return this;
    }

    /// <summary>The metadata set so far.</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Metadata => _metadata;

    /// <summary>The tensors added so far.</summary>
    public IEnumerable<GgufTensorInfo> Tensors => _tensors.Select(t => t.Info);

    /// <summary>
    /// Adds a tensor of PyTorch shape <paramref name="shape"/> (outermost first) stored as <paramref name="type"/>;
    /// <paramref name="data"/> is called once while writing and must return exactly the tensor's byte size.
    /// </summary>
    public GgufWriter AddTensor(string name, long[] shape, GgmlType type, Func<byte[]> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_tensors.Any(t => t.Info.Name == name)) throw new ArgumentException($"tensor '{name}' was already added.", nameof(name));
        if (shape.Length is 0 or > 4) throw new ArgumentException($"tensor '{name}': 1 to 4 dimensions, got {shape.Length}.", nameof(shape));
        var dims = shape.Reverse().ToArray();
        if (dims[0] % GgmlTypes.BlockSize(type) != 0)
            throw new ArgumentException($"tensor '{name}': rows of {dims[0]} elements cannot be stored as {type} (block size {GgmlTypes.BlockSize(type)}).", nameof(type));
        _tensors.Add((new GgufTensorInfo(name, dims, type, 0), data));
        return this;
    }

    /// <summary>Writes the file to <paramref name="path"/> (atomically), reporting tensors written.</summary>
    public void Write(string path, IProgress<(int Done, int Total, string Tensor)>? progress = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("GGUF writing needs a little-endian CPU.");
        var metadata = _metadata.ToList();
        if (Alignment != GgufFile.DefaultAlignment && metadata.All(kv => kv.Key != "general.alignment"))
            metadata.Add(new("general.alignment", (uint)Alignment));
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            {
                w.Write(GgufFile.Magic);
                w.Write(3u);
                w.Write((ulong)_tensors.Count);
                w.Write((ulong)metadata.Count);
                foreach (var (key, value) in metadata)
                {
                    WriteString(w, key);
                    var type = TypeOf(value);
                    w.Write((uint)type);
                    WriteValue(w, type, value);
                }
                long offset = 0;
                foreach (var (info, _) in _tensors)
                {
                    WriteString(w, info.Name);
                    w.Write((uint)info.Dimensions.Length);
                    foreach (var d in info.Dimensions) w.Write((ulong)d);
                    w.Write((uint)info.Type);
                    w.Write((ulong)offset);
                    offset = Align(offset + info.ByteSize);
                }
                w.Flush();
                Pad(stream);
                for (var i = 0; i < _tensors.Count; i++)
                {
                    var (info, data) = _tensors[i];
                    var bytes = data();
                    if (bytes.LongLength != info.ByteSize)
                        throw new InvalidOperationException($"tensor '{info.Name}': {bytes.LongLength} bytes produced, {info.ByteSize} expected for {info.Type} [{string.Join(",", info.Dimensions)}].");
                    stream.Write(bytes);
                    Pad(stream);
                    progress?.Report((i + 1, _tensors.Count, info.Name));
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    long Align(long n) => (n + Alignment - 1) / Alignment * Alignment;

    void Pad(Stream s)
    {
        var pad = Align(s.Position) - s.Position;
        for (var i = 0; i < pad; i++) s.WriteByte(0);
    }

    static void WriteString(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    static GgufValueType TypeOf(object value) => value switch
    {
        byte => GgufValueType.UInt8,
        sbyte => GgufValueType.Int8,
        ushort => GgufValueType.UInt16,
        short => GgufValueType.Int16,
        uint => GgufValueType.UInt32,
        int => GgufValueType.Int32,
        float => GgufValueType.Float32,
        bool => GgufValueType.Bool,
        string => GgufValueType.String,
        ulong => GgufValueType.UInt64,
        long => GgufValueType.Int64,
        double => GgufValueType.Float64,
        Array a when a.GetType().GetElementType() is { } e && e != typeof(object) => GgufValueType.Array,
        _ => throw new ArgumentException($"{value.GetType().Name} is not a GGUF metadata type."),
    };

    static void WriteValue(BinaryWriter w, GgufValueType type, object value)
    {
        switch (value)
        {
            case byte v: w.Write(v); break;
            case sbyte v: w.Write(v); break;
            case ushort v: w.Write(v); break;
            case short v: w.Write(v); break;
            case uint v: w.Write(v); break;
            case int v: w.Write(v); break;
            case float v: w.Write(v); break;
            case bool v: w.Write((byte)(v ? 1 : 0)); break;
            case string v: WriteString(w, v); break;
            case ulong v: w.Write(v); break;
            case long v: w.Write(v); break;
            case double v: w.Write(v); break;
            case Array a:
                var elementType = a.Length > 0 ? TypeOf(a.GetValue(0)!) : ElementTypeOf(a.GetType().GetElementType()!);
                w.Write((uint)elementType);
                w.Write((ulong)a.Length);
                foreach (var item in a) WriteValue(w, elementType, item!);
                break;
            default:
                throw new ArgumentException($"cannot write {type}");
        }
    }

    static GgufValueType ElementTypeOf(Type t) => t == typeof(string) ? GgufValueType.String
        : t == typeof(int) ? GgufValueType.Int32 : t == typeof(float) ? GgufValueType.Float32 : t == typeof(uint) ? GgufValueType.UInt32
        : t == typeof(bool) ? GgufValueType.Bool : GgufValueType.UInt8;
}
