namespace RagTune.Retrieval.Vectors;

/// <summary>Opening an index file without knowing which kind wrote it.</summary>
public static class VectorIndexes
{
    /// <summary>Loads <paramref name="path"/> as an <see cref="ExactVectorIndex"/> or <see cref="HnswVectorIndex"/>,
    /// by the magic bytes at its start.</summary>
    /// <exception cref="InvalidDataException">Neither kind, or a corrupt file; the message names the file.</exception>
    public static IVectorIndex Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Vector index file '{path}' does not exist.", path);
        Span<byte> magic = stackalloc byte[4];
        using (var file = File.OpenRead(path))
            if (file.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4)
                throw VectorIndexFile.Bad(path, "it is shorter than 4 bytes (truncated or not an index file)");
        return System.Text.Encoding.ASCII.GetString(magic) switch
        {
            "RTEX" => ExactVectorIndex.Load(path),
            "RTHN" => HnswVectorIndex.Load(path),
            var other => throw VectorIndexFile.Bad(path, $"it starts with '{other}', expected 'RTEX' (exact) or 'RTHN' (HNSW)"),
        };
    }
}
