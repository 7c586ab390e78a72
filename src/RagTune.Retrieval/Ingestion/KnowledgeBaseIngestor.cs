using System.Diagnostics;
using Microsoft.Extensions.AI;
using RagTune.Retrieval.Chunking;
using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Store;

namespace RagTune.Retrieval.Ingestion;

/// <summary>
/// Files → documents → chunks (→ embeddings) → knowledge base, incrementally: a file whose content hash is stored
/// is skipped unread; in a changed file only documents whose hash changed are re-chunked, and documents that
/// disappeared from it are deleted; with <see cref="IngestOptions.Sync"/> files gone from an ingested folder lose
/// their documents. Work is committed in batches of about <see cref="IngestOptions.BatchChunks"/> chunks; a file
/// is marked done in the batch that holds its last document, so a crash makes the next run redo only that file.
/// A file that cannot be read (empty, too large, binary, not UTF-8, corrupt) becomes a <see cref="FileError"/>.
/// </summary>
public sealed class KnowledgeBaseIngestor
{
    readonly KnowledgeBase _kb;
    readonly IngestOptions _options;
    readonly IChunker _chunker;
    readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;
    readonly string? _embedderName;
    readonly DocumentReaders _readers;

    /// <summary>An ingestor writing to <paramref name="knowledgeBase"/>; with an <paramref name="embedder"/> every
    /// chunk is embedded too and <paramref name="embedderName"/> (e.g. the model folder) is recorded in the knowledge base.</summary>
    public KnowledgeBaseIngestor(KnowledgeBase knowledgeBase, IngestOptions? options = null, IChunker? chunker = null,
        IEmbeddingGenerator<string, Embedding<float>>? embedder = null, string? embedderName = null)
    {
        _kb = knowledgeBase ?? throw new ArgumentNullException(nameof(knowledgeBase));
        if (_kb.IsReadOnly) throw new ArgumentException("The knowledge base is open read-only.", nameof(knowledgeBase));
        _options = options ?? new IngestOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.BatchChunks);
        _chunker = chunker ?? new StructuredChunker();
        _embedder = embedder;
        _embedderName = embedderName ?? embedder?.GetType().Name;
        _readers = new DocumentReaders(_options.Records);
        _readers.For("x.txt", _options.Format); // validates the format name now, not after the first file
    }

    /// <summary>Ingests files and folders (recursively); returns what was done.</summary>
    public async Task<IngestSummary> IngestAsync(IEnumerable<string> paths, IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var errors = new List<FileError>();
        var roots = paths.Select(Path.GetFullPath).ToList();
        var files = Expand(roots, errors);
        long bytesTotal = files.Sum(f => f.Length), bytesDone = 0;
        int unchangedFiles = 0, added = 0, updated = 0, unchangedDocs = 0, deleted = 0, chunksWritten = 0, filesDone = 0;
        var batch = new WriteBatch();

        async Task FlushAsync()
        {
            if (batch.IsEmpty) return;
            await EmbedAsync(batch, cancellationToken).ConfigureAwait(false);
            _kb.Write(batch);
            chunksWritten += batch.ChunkCount;
            batch = new WriteBatch();
        }

        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new IngestProgress(filesDone, files.Count, bytesDone, bytesTotal, chunksWritten + batch.ChunkCount, clock.Elapsed, file.FullName));
            var outcome = ReadFile(file, errors);
            bytesDone += file.Length;
            filesDone++;
            if (outcome is null) continue;
            var (record, documents) = outcome.Value;
            if (documents is null) { unchangedFiles++; continue; }
            var stored = _kb.GetDocumentHashes(file.FullName);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var document in documents)
            {
                if (!seen.Add(document.Id)) continue; // a repeated id inside one file: the first record wins
                if (stored.TryGetValue(document.Id, out var hash) && hash == document.ContentHash) { unchangedDocs++; continue; }
                if (stored.ContainsKey(document.Id)) updated++; else added++;
                // Flush before adding, never after the last document: the file record must share its last document's batch.
                if (batch.ChunkCount >= _options.BatchChunks) await FlushAsync().ConfigureAwait(false);
                batch.Documents.Add(new DocumentWrite(document, _chunker.Chunk(document)));
            }
            foreach (var gone in stored.Keys.Where(id => !seen.Contains(id))) { batch.DeletedDocuments.Add(gone); deleted++; }
            batch.Files.Add(record);
        }

        if (_options.Sync)
        {
            var present = files.Select(f => f.FullName).ToHashSet(StringComparer.Ordinal);
            foreach (var path in _kb.GetFilePaths().Where(p => !present.Contains(p) && !File.Exists(p) && roots.Any(r => Under(p, r))))
            {
                var docs = _kb.GetDocumentHashes(path).Keys.ToList();
                batch.DeletedDocuments.AddRange(docs);
                batch.DeletedFiles.Add(path);
                deleted += docs.Count;
            }
        }
        await FlushAsync().ConfigureAwait(false);
        progress?.Report(new IngestProgress(filesDone, files.Count, bytesDone, bytesTotal, chunksWritten, clock.Elapsed, null));
        return new IngestSummary
        {
            FilesScanned = files.Count, FilesUnchanged = unchangedFiles, DocumentsAdded = added, DocumentsUpdated = updated,
            DocumentsUnchanged = unchangedDocs, DocumentsDeleted = deleted, ChunksWritten = chunksWritten, BytesRead = bytesDone,
            Elapsed = clock.Elapsed, Errors = errors,
        };
    }

    static bool Under(string path, string root) =>
        path == root || path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The file's record and documents; documents null when the content hash is unchanged; null on error.</summary>
    (FileRecord Record, List<SourceDocument>? Documents)? ReadFile(FileInfo file, List<FileError> errors)
    {
        try
        {
            if (file.Length == 0) { errors.Add(new FileError(file.FullName, "empty file (0 bytes)")); return null; }
            if (file.Length > _options.MaxFileBytes)
            {
                errors.Add(new FileError(file.FullName, $"too large ({file.Length:N0} bytes > limit {_options.MaxFileBytes:N0}); HINT: split it or raise the limit"));
                return null;
            }
            var bytes = File.ReadAllBytes(file.FullName);
            var record = new FileRecord(file.FullName, Hashing.Sha256Hex(bytes), bytes.Length, file.LastWriteTimeUtc);
            if (_kb.GetFile(file.FullName)?.Hash == record.Hash) return (record, null);
            var reader = _readers.For(file.FullName, _options.Format)!;
            var tags = _options.Tags.Count > 0 ? string.Join(';', _options.Tags) : null;
            var documents = reader.Read(file.FullName, bytes).Select(d => d with
            {
                Modified = d.Modified ?? new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero),
                Metadata = tags is null ? d.Metadata : new Dictionary<string, string>(d.Metadata) { ["tag"] = d.Metadata.TryGetValue("tag", out var t) ? t + ";" + tags : tags },
            }).ToList();
            if (documents.Count == 0 || documents.All(d => string.IsNullOrWhiteSpace(d.Text)))
            {
                errors.Add(new FileError(file.FullName, "no text found (scanned PDF, empty records or an unexpected structure)"));
                return null;
            }
            return (record, documents);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // Any parser failure (corrupt PDF, malformed JSON, bad zip in a .docx) is this file's problem only.
            errors.Add(new FileError(file.FullName, $"{e.GetType().Name}: {e.Message}"));
            return null;
        }
    }

    List<FileInfo> Expand(List<string> roots, List<FileError> errors)
    {
        var files = new List<FileInfo>();
        foreach (var root in roots)
        {
            if (File.Exists(root))
            {
                if (_readers.For(root, _options.Format) is null)
                    errors.Add(new FileError(root, $"unsupported file type '{Path.GetExtension(root)}' for format {_options.Format}"));
                else files.Add(new FileInfo(root));
            }
            else if (Directory.Exists(root))
                files.AddRange(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                    .Where(f => _readers.For(f, _options.Format) is not null)
                    .Order(StringComparer.Ordinal).Select(f => new FileInfo(f)));
            else if (!_options.Sync)
                errors.Add(new FileError(root, "no such file or folder"));
        }
        return files.DistinctBy(f => f.FullName).ToList();
    }

    async Task EmbedAsync(WriteBatch batch, CancellationToken cancellationToken)
    {
        if (_embedder is null) return;
        // Embed across documents in fixed-size calls (small documents would otherwise mean one call each).
        var texts = batch.Documents.SelectMany(d => d.Chunks.Select(c => c.Text)).ToList();
        var vectors = new List<ReadOnlyMemory<float>>(texts.Count);
        foreach (var slice in texts.Chunk(_options.EmbeddingBatchSize))
        {
            var embeddings = await _embedder.GenerateAsync(slice, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (embeddings.Count != slice.Length)
                throw new InvalidOperationException($"The embedder returned {embeddings.Count} vectors for {slice.Length} texts.");
            foreach (var e in embeddings)
            {
                var v = e.Vector.ToArray();
                DenseVectorRetriever.Normalize(v);
                vectors.Add(v);
            }
        }
        if (vectors.Count > 0) _kb.SetEmbeddingModel(_embedderName!, vectors[0].Length);
        var next = 0;
        for (var d = 0; d < batch.Documents.Count; d++)
        {
            var count = batch.Documents[d].Chunks.Count;
            batch.Documents[d] = batch.Documents[d] with { Embeddings = vectors.GetRange(next, count) };
            next += count;
        }
    }
}
