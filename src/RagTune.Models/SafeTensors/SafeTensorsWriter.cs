using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models.SafeTensors;

/// <summary>
/// Writes <c>.safetensors</c> files as Hugging Face's <c>save_file</c> does: keys in sorted order, the JSON header padded
/// with spaces to a multiple of 8 bytes, <c>{"format":"pt"}</c> metadata by default. The file appears atomically
/// (written to a temporary file beside it, then renamed).
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>Writes <paramref name="tensors"/> to <paramref name="path"/>.</summary>
    /// <param name="path">Destination file; replaced if it exists.</param>
    /// <param name="tensors">Name → CPU tensor. Non-contiguous tensors are written in row-major order.</param>
    /// <param name="metadata">The header's <c>__metadata__</c>; null writes <c>{"format":"pt"}</c>.</param>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors writing needs a little-endian CPU.");
        var entries = tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        for (var i = 1; i < entries.Count; i++)
            if (entries[i].Key == entries[i - 1].Key) throw new ArgumentException($"Duplicate tensor name '{entries[i].Key}'.", nameof(tensors));

        var header = BuildHeader(entries, metadata ?? new Dictionary<string, string> { ["format"] = "pt" });
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Span<byte> len = stackalloc byte[8];
                BitConverter.TryWriteBytes(len, (ulong)header.Length);
                stream.Write(len);
                stream.Write(header);
                foreach (var (_, t) in entries)
                {
                    if (t.device_type != DeviceType.CPU) throw new ArgumentException("Only CPU tensors can be written.", nameof(tensors));
                    using var c = t.is_contiguous() ? t.alias() : t.contiguous();
                    stream.Write(c.bytes);
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

    static byte[] BuildHeader(List<KeyValuePair<string, Tensor>> entries, IReadOnlyDictionary<string, string> metadata)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            if (metadata.Count > 0)
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, t) in entries)
            {
                var size = t.NumberOfElements * t.ElementSize;
                w.WriteStartObject(name);
                w.WriteString("dtype", SafeTensorsDTypes.FromScalarType(t.dtype));
                w.WriteStartArray("shape");
                foreach (var d in t.shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + size);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += size;
            }
            w.WriteEndObject();
        }
        var json = ms.ToArray();
        var padded = (json.Length + 7) / 8 * 8;
        var header = new byte[padded];
        json.CopyTo(header, 0);
        header.AsSpan(json.Length).Fill((byte)' ');
        return header;
    }
}
