using System.Security.Cryptography;

namespace RagTune.Retrieval.Vectors;

/// <summary>
/// The container both index files share: a fixed header, the index's payload, then a SHA-256 of everything before
/// it. Writes go to <c>path.tmp</c>, are fsynced, then renamed over <c>path</c>, so a crash leaves either the old
/// or the new file, never a torn one. Reads check size and checksum before the payload is parsed, so a truncated
/// or corrupt file fails with a message naming it instead of an out-of-range read halfway through.
/// </summary>
/// <remarks>
/// Header (little-endian): magic (4 ASCII bytes), format version (int32), dimensions (int32), entry count (int32),
/// total file length (int64). Trailer: 32-byte SHA-256 of header + payload.
/// </remarks>
internal static class VectorIndexFile
{
    public const int HeaderSize = 4 + 4 + 4 + 4 + 8;
    const int TrailerSize = 32;

    public readonly record struct Header(int Version, int Dimensions, int Count);

    public static void WriteAtomic(string path, string magic, Header header, Action<BinaryWriter> writePayload)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = full + ".tmp";
        using (var file = new FileStream(tmp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16))
        {
            using (var writer = new BinaryWriter(file, System.Text.Encoding.ASCII, leaveOpen: true))
            {
                writer.Write(System.Text.Encoding.ASCII.GetBytes(magic));
                writer.Write(header.Version);
                writer.Write(header.Dimensions);
                writer.Write(header.Count);
                writer.Write(0L); // total length, patched below once known
                writePayload(writer);
                writer.Flush();
                var total = file.Position + TrailerSize;
                file.Position = HeaderSize - 8;
                writer.Write(total);
                writer.Flush();
            }
            // Hash in a second pass: simpler than hashing through the writer, and the file is in the page cache.
            file.Position = 0;
            var hash = HashPrefix(file, file.Length);
            file.Position = file.Length;
            file.Write(hash);
            file.Flush(flushToDisk: true);
        }
        File.Move(tmp, full, overwrite: true);
    }

    /// <summary>Opens <paramref name="path"/>, validates magic, length and checksum, and returns a reader
    /// positioned at the payload. Throws <see cref="InvalidDataException"/> naming the file.</summary>
    public static (BinaryReader Reader, Header Header) OpenValidated(string path, string magic, int expectedVersion)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Vector index file '{path}' does not exist.", path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            var length = file.Length;
            if (length < HeaderSize + TrailerSize)
                throw Bad(path, $"it is {length} bytes, shorter than the {HeaderSize + TrailerSize}-byte header and trailer (truncated or not an index file)");
            var reader = new BinaryReader(file, System.Text.Encoding.ASCII, leaveOpen: false);
            var actualMagic = System.Text.Encoding.ASCII.GetString(reader.ReadBytes(4));
            if (actualMagic != magic)
                throw Bad(path, $"it starts with '{actualMagic}', expected '{magic}' (wrong file or a different index kind)");
            var version = reader.ReadInt32();
            if (version != expectedVersion)
                throw Bad(path, $"format version {version} is not supported (expected {expectedVersion}); rebuild the index");
            var dims = reader.ReadInt32();
            var count = reader.ReadInt32();
            var declared = reader.ReadInt64();
            if (dims <= 0 || count < 0)
                throw Bad(path, $"header has dimensions {dims} and count {count}");
            if (declared != length)
                throw Bad(path, $"it is {length} bytes but its header says {declared} (truncated or appended to); rebuild the index");
            file.Position = 0;
            var actual = HashPrefix(file, length - TrailerSize);
            var stored = new byte[TrailerSize];
            file.ReadExactly(stored);
            if (!actual.AsSpan().SequenceEqual(stored))
                throw Bad(path, "its checksum does not match its content (corrupt); rebuild the index");
            file.Position = HeaderSize;
            return (reader, new Header(version, dims, count));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Throws when the reader is not exactly at the trailer: the payload did not parse to its end.</summary>
    public static void ExpectPayloadEnd(BinaryReader reader, string path)
    {
        if (reader.BaseStream.Position != reader.BaseStream.Length - TrailerSize)
            throw Bad(path, "its payload does not end where the trailer starts (inconsistent header)");
    }

    public static InvalidDataException Bad(string path, string why) =>
        new($"Vector index file '{path}' cannot be loaded: {why}.");

    static byte[] HashPrefix(Stream stream, long count)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        while (count > 0)
        {
            var n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
            if (n == 0) throw new EndOfStreamException();
            hash.AppendData(buffer, 0, n);
            count -= n;
        }
        return hash.GetHashAndReset();
    }
}
