using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Training.Checkpoints;

/// <summary>
/// Minimal safetensors reader/writer for the tensors training owns (checkpoints, PEFT adapters): F32, F64, I64.
/// Layout: 8-byte LE header length, JSON header (sorted keys, space-padded to 8), raw LE data
/// (https://github.com/huggingface/safetensors#format). Kept here so training does not wait on the engine's IO.
/// </summary>
public static class TensorFile
{
    /// <summary>Writes <paramref name="tensors"/> (CPU, contiguous copies are made) to <paramref name="path"/>.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal)) meta[k] = v;
            header["__metadata__"] = meta;
        }
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, t) in tensors.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var bytes = ToBytes(t, out var dtype);
            header[name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(t.shape.Select(s => (JsonNode)s).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            offset += bytes.Length;
            blobs.Add(bytes);
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8;
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
        fs.Write(len);
        fs.Write(json);
        for (var i = json.Length; i < padded; i++) fs.WriteByte((byte)' ');
        foreach (var b in blobs) fs.Write(b);
        fs.Flush(true);
    }

    /// <summary>Reads every tensor of a safetensors file (F32, F64, I64, BF16, F16 supported).</summary>
    public static Dictionary<string, Tensor> Load(string path) => Load(path, out _);

    /// <summary>Reads every tensor and the <c>__metadata__</c> map.</summary>
    public static Dictionary<string, Tensor> Load(string path, out Dictionary<string, string> metadata)
    {
        var all = File.ReadAllBytes(path);
        if (all.Length < 8) throw new InvalidDataException($"{path}: not a safetensors file (shorter than 8 bytes).");
        var n = (long)BinaryPrimitives.ReadUInt64LittleEndian(all);
        if (n <= 0 || 8 + n > all.Length) throw new InvalidDataException($"{path}: bad safetensors header length {n}.");
        using var doc = JsonDocument.Parse(all.AsMemory(8, (int)n));
        metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var dataStart = 8 + (int)n;
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__")
            {
                foreach (var m in p.Value.EnumerateObject()) metadata[m.Name] = m.Value.GetString() ?? "";
                continue;
            }
            var dtype = p.Value.GetProperty("dtype").GetString();
            var shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var offs = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var span = all.AsSpan(dataStart + (int)offs[0], (int)(offs[1] - offs[0]));
            result[p.Name] = FromBytes(span, dtype!, shape, path, p.Name);
        }
        return result;
    }

    static byte[] ToBytes(Tensor t, out string dtype)
    {
        using var c = t.detach().cpu().contiguous();
        switch (c.dtype)
        {
            case ScalarType.Float32: dtype = "F32"; return Copy<float>(c);
            case ScalarType.Float64: dtype = "F64"; return Copy<double>(c);
            case ScalarType.Int64: dtype = "I64"; return Copy<long>(c);
            case ScalarType.Byte: dtype = "U8"; return Copy<byte>(c);
            case ScalarType.BFloat16:
                using (var f = c.to(ScalarType.Float32)) { dtype = "F32"; return Copy<float>(f); }
            default: throw new NotSupportedException($"dtype {c.dtype} cannot be saved; expected F32, F64, I64 or U8.");
        }
    }

    static byte[] Copy<T>(Tensor t) where T : unmanaged
    {
        var data = t.data<T>().ToArray();
        var bytes = new byte[data.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>()];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    static Tensor FromBytes(ReadOnlySpan<byte> span, string dtype, long[] shape, string path, string name)
    {
        switch (dtype)
        {
            case "F32": return tensor(Cast<float>(span), shape);
            case "F64": return tensor(Cast<double>(span), shape);
            case "I64": return tensor(Cast<long>(span), shape);
            case "U8": return tensor(span.ToArray(), shape);
            case "BF16":
            {
                // bf16 is the upper half of an f32: widen by shifting.
                var u = Cast<ushort>(span);
                var f = new float[u.Length];
                for (var i = 0; i < u.Length; i++) f[i] = BitConverter.Int32BitsToSingle(u[i] << 16);
                return tensor(f, shape);
            }
            case "F16":
            {
                var h = Cast<Half>(span);
                return tensor(h.Select(x => (float)x).ToArray(), shape);
            }
            default: throw new InvalidDataException($"{path}: tensor '{name}' has unsupported dtype {dtype}.");
        }
    }

    static T[] Cast<T>(ReadOnlySpan<byte> span) where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(span).ToArray();
}
