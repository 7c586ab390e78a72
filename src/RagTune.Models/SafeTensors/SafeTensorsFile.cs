using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models.SafeTensors;

/// <summary>
/// Reads a <c>.safetensors</c> file (https://github.com/huggingface/safetensors): an 8-byte little-endian header
/// length N, N bytes of JSON (<c>{"name": {"dtype", "shape", "data_offsets"}, "__metadata__": {…}}</c>), then the raw
/// little-endian data. The whole header is validated when the file is opened, before any tensor memory is touched;
/// each tensor is read straight from disk into its own TorchSharp buffer (no full-file copy).
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    /// <summary>Largest header accepted (the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    readonly SafeFileHandle handle;
    readonly Dictionary<string, SafeTensorInfo> tensors;

    SafeTensorsFile(string path, SafeFileHandle handle, Dictionary<string, SafeTensorInfo> tensors,
        Dictionary<string, string> metadata)
    {
        FilePath = path;
        this.handle = handle;
        this.tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The file's path.</summary>
    public string FilePath { get; }

    /// <summary>The tensors of the header by name.</summary>
    public IReadOnlyDictionary<string, SafeTensorInfo> Tensors => tensors;

    /// <summary>The header's <c>__metadata__</c> (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens and validates a safetensors file.</summary>
    /// <exception cref="ModelLoadException">The file is truncated, its header is malformed or inconsistent.</exception>
    public static SafeTensorsFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors reading needs a little-endian CPU.");
        if (!File.Exists(path)) throw new ModelLoadException($"{path}: file not found.", path);
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            var (tensors, metadata) = ReadHeader(path, handle);
            return new SafeTensorsFile(path, handle, tensors, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads every tensor of a file into a dictionary (convenient for small files such as references).</summary>
    public static Dictionary<string, Tensor> LoadAll(string path)
    {
        using var file = Open(path);
        return file.Tensors.Keys.ToDictionary(k => k, k => file.Load(k));
    }

    /// <summary>
    /// Loads one tensor as a new CPU tensor; with <paramref name="dtype"/> the result is converted to that type.
    /// </summary>
    /// <exception cref="ModelLoadException">Unknown name, a dtype TorchSharp cannot hold, or a read error.</exception>
    public Tensor Load(string name, ScalarType? dtype = null)
    {
        var info = Info(name);
        var fileType = info.ScalarType
            ?? throw new ModelLoadException($"{FilePath}: tensor '{name}' has dtype {info.DType}, which TorchSharp cannot load.", FilePath, name);
        var t = empty(info.Shape, fileType);
        try
        {
            ReadInto(info, t);
            if (dtype is { } want && want != fileType)
            {
                var converted = t.to_type(want);
                t.Dispose();
                return converted;
            }
            return t;
        }
        catch
        {
            t.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies one tensor into an existing CPU tensor of the same shape (e.g. a model parameter), converting the dtype
    /// if it differs. Reads straight into <paramref name="target"/> when the dtypes match and it is contiguous.
    /// </summary>
    public void CopyInto(string name, Tensor target)
    {
        var info = Info(name);
        if (!info.Shape.SequenceEqual(target.shape))
            throw new ModelLoadException(
                $"{FilePath}: tensor '{name}' has shape [{string.Join(",", info.Shape)}], expected [{string.Join(",", target.shape)}].",
                FilePath, name);
        if (info.ScalarType == target.dtype && target.is_contiguous() && target.device_type == DeviceType.CPU)
        {
            using (no_grad()) ReadInto(info, target);
            return;
        }
        using var loaded = Load(name);
        using (no_grad()) target.copy_(loaded);
    }

    /// <summary>The header entry of <paramref name="name"/>.</summary>
    public SafeTensorInfo Info(string name) => tensors.TryGetValue(name, out var info)
        ? info
        : throw new ModelLoadException($"{FilePath}: no tensor named '{name}'.", FilePath, name);

    void ReadInto(SafeTensorInfo info, Tensor t)
    {
        if (info.Length > int.MaxValue)
            throw new ModelLoadException($"{FilePath}: tensor '{info.Name}' is larger than 2 GiB, which this reader does not support.", FilePath, info.Name);
        if (info.Length == 0) return;
        var span = t.bytes;
        long done = 0;
        while (done < info.Length)
        {
            var n = RandomAccess.Read(handle, span[(int)done..], info.Begin + done);
            if (n <= 0)
                throw new ModelLoadException($"{FilePath}: unexpected end of file while reading tensor '{info.Name}'.", FilePath, info.Name);
            done += n;
        }
    }

    static (Dictionary<string, SafeTensorInfo>, Dictionary<string, string>) ReadHeader(string path, SafeFileHandle handle)
    {
        var fileLength = RandomAccess.GetLength(handle);
        if (fileLength < 8)
            throw new ModelLoadException($"{path}: truncated safetensors file ({fileLength} bytes; the 8-byte header length is missing).", path);
        Span<byte> lengthBytes = stackalloc byte[8];
        RandomAccess.Read(handle, lengthBytes, 0);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(fileLength - 8))
            throw new ModelLoadException(
                $"{path}: header length {headerLength} runs past the end of the file ({fileLength} bytes). The file is truncated or not safetensors.", path);
        if (headerLength > MaxHeaderBytes)
            throw new ModelLoadException($"{path}: header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit.", path);
        var header = new byte[headerLength];
        RandomAccess.Read(handle, header, 8);
        var dataStart = 8 + (long)headerLength;
        var dataLength = fileLength - dataStart;

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new ModelLoadException($"{path}: the header is not valid JSON ({e.Message}).", path, inner: e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelLoadException($"{path}: the header must be a JSON object.", path);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var tensors = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object)
                        throw new ModelLoadException($"{path}: __metadata__ must be an object of strings.", path);
                    foreach (var m in prop.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String
                            ? m.Value.GetString()!
                            : throw new ModelLoadException($"{path}: __metadata__ value '{m.Name}' is not a string.", path);
                    continue;
                }
                var info = ParseEntry(path, prop.Name, prop.Value, dataStart, dataLength);
                if (!tensors.TryAdd(info.Name, info))
                    throw new ModelLoadException($"{path}: tensor '{info.Name}' appears twice in the header.", path, info.Name);
            }
            CheckNoOverlap(path, tensors.Values);
            return (tensors, metadata);
        }
    }

    static SafeTensorInfo ParseEntry(string path, string name, JsonElement e, long dataStart, long dataLength)
    {
        ModelLoadException Bad(string what) => new($"{path}: tensor '{name}': {what}", path, name);
        if (e.ValueKind != JsonValueKind.Object) throw Bad("entry is not a JSON object.");
        if (!e.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String)
            throw Bad("missing string 'dtype'.");
        var dtype = dtypeEl.GetString()!;
        if (!SafeTensorsDTypes.TryGetElementSize(dtype, out var elementSize))
            throw Bad($"unknown dtype '{dtype}' (known: {string.Join(", ", SafeTensorsDTypes.Names)}).");
        if (!e.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array)
            throw Bad("missing array 'shape'.");
        var shape = new long[shapeEl.GetArrayLength()];
        var i = 0;
        long count = 1;
        foreach (var d in shapeEl.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var dim) || dim < 0)
                throw Bad($"shape entry {d} is not a non-negative integer.");
            shape[i++] = dim;
            try { count = checked(count * dim); }
            catch (OverflowException) { throw Bad("shape is too large."); }
        }
        if (!e.TryGetProperty("data_offsets", out var offEl) || offEl.ValueKind != JsonValueKind.Array || offEl.GetArrayLength() != 2)
            throw Bad("missing 'data_offsets' [begin, end].");
        if (!offEl[0].TryGetInt64(out var begin) || !offEl[1].TryGetInt64(out var end) || begin < 0 || end < begin)
            throw Bad($"data_offsets {offEl} are not 0 ≤ begin ≤ end.");
        if (end > dataLength)
            throw Bad($"data_offsets [{begin}, {end}] run past the data section ({dataLength} bytes). The file is truncated or corrupt.");
        long expected;
        try { expected = checked(count * elementSize); }
        catch (OverflowException) { throw Bad("shape is too large."); }
        if (end - begin != expected)
            throw Bad($"data_offsets [{begin}, {end}] cover {end - begin} bytes but {dtype} × [{string.Join(",", shape)}] needs {expected}.");
        return new SafeTensorInfo(name, dtype, shape, dataStart + begin, end - begin);
    }

    static void CheckNoOverlap(string path, IEnumerable<SafeTensorInfo> infos)
    {
        SafeTensorInfo? previous = null;
        foreach (var info in infos.Where(t => t.Length > 0).OrderBy(t => t.Begin))
        {
            if (previous is not null && info.Begin < previous.Begin + previous.Length)
                throw new ModelLoadException(
                    $"{path}: tensors '{previous.Name}' and '{info.Name}' overlap in the data section.", path, info.Name);
            previous = info;
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => handle.Dispose();
}
