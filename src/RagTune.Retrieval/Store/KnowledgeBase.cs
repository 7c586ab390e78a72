using Lucene.Net.Index;
using Lucene.Net.Store;
using RagTune.Retrieval.Vectors;

namespace RagTune.Retrieval.Store;

/// <summary>
/// A knowledge base: one folder holding <c>kb.sqlite</c> (documents, chunks, metadata, embeddings; the source of
/// truth) and <c>lucene/</c> (the BM25 index). Writes go SQLite first, then Lucene, both atomic; opening for write
/// compares the sequence number each side last committed and, when they differ (a crash in between), re-indexes
/// what Lucene lacks and deletes what SQLite no longer has. One writer (Lucene's write lock) and any number of
/// readers, in this process (thread-safe) or in others (<see cref="OpenReadOnly"/>).
/// </summary>
public sealed class KnowledgeBase : IDisposable
{
    const string EmbeddingModelKey = "embedding.model";
    const string EmbeddingDimensionsKey = "embedding.dims";

    readonly SqliteChunkStore _sql;
    readonly LuceneChunkIndex _lucene;
    readonly object _writeLock = new();
    readonly object _vectorLock = new();
    IVectorIndex? _vectors;

    KnowledgeBase(string folder, bool readOnly)
    {
        Folder = Path.GetFullPath(folder);
        IsReadOnly = readOnly;
        _sql = new SqliteChunkStore(Path.Combine(Folder, "kb.sqlite"), readOnly);
        _lucene = new LuceneChunkIndex(Path.Combine(Folder, "lucene"), readOnly);
    }

    /// <summary>The knowledge-base folder.</summary>
    public string Folder { get; }

    /// <summary>True when opened with <see cref="OpenReadOnly"/>.</summary>
    public bool IsReadOnly { get; }

    /// <summary>What <see cref="Open"/> had to repair (null for read-only opens).</summary>
    public ReconcileReport? Reconciled { get; private set; }

    /// <summary>Opens (creating if needed) for writing and reconciling; fails when another process is writing.</summary>
    /// <exception cref="IOException">Another writer holds the knowledge base.</exception>
    public static KnowledgeBase Open(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        System.IO.Directory.CreateDirectory(folder);
        KnowledgeBase kb;
        try { kb = new KnowledgeBase(folder, readOnly: false); }
        catch (LockObtainFailedException e)
        {
            throw new IOException($"Knowledge base '{folder}' is being written by another process (Lucene write lock held). HINT: wait for that ingest to finish.", e);
        }
        try { kb.Reconciled = kb.Reconcile(); }
        catch { kb.Dispose(); throw; }
        return kb;
    }

    /// <summary>Opens an existing knowledge base for searching while another process may be writing to it.</summary>
    public static KnowledgeBase OpenReadOnly(string folder)
    {
        if (!File.Exists(Path.Combine(folder, "kb.sqlite")))
            throw new DirectoryNotFoundException($"'{folder}' is not a knowledge base (no kb.sqlite). HINT: create it with 'ragtune ingest --kb {folder} <files>'.");
        return new KnowledgeBase(folder, readOnly: true);
    }

    ReconcileReport Reconcile()
    {
        if (_lucene.CommittedSequence == _sql.Sequence && _sql.Sequence > 0) return new ReconcileReport(0, 0);
        var inSql = _sql.AllChunkRowIds().ToHashSet();
        var inLucene = _lucene.AllRowIds();
        var missing = inSql.Where(id => !inLucene.Contains(id)).ToList();
        var extra = inLucene.Where(id => !inSql.Contains(id)).ToList();
        _lucene.Delete(extra);
        foreach (var slice in missing.Chunk(1000)) _lucene.Add(_sql.ChunksForIndexing(slice));
        _lucene.Commit(_sql.Sequence);
        return new ReconcileReport(missing.Count, extra.Count);
    }

    /// <summary>The embedding model recorded by the first embedded ingest (its folder or name), or null.</summary>
    public string? EmbeddingModel => _sql.GetMeta(EmbeddingModelKey);

    /// <summary>Records the embedding model and dimension; a different one later is an error (vectors would not compare).</summary>
    public void SetEmbeddingModel(string model, int dimensions)
    {
        var current = EmbeddingModel;
        var dims = _sql.GetMeta(EmbeddingDimensionsKey);
        if (current is not null && (current != model || dims != dimensions.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            throw new InvalidOperationException($"Knowledge base '{Folder}' holds embeddings of '{current}' ({dims} dims), not '{model}' ({dimensions} dims). HINT: use the same --embed-model or a new --kb folder.");
        _sql.SetMeta(EmbeddingModelKey, model);
        _sql.SetMeta(EmbeddingDimensionsKey, dimensions.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Commits a batch: SQLite transaction, then Lucene commit, then the in-memory vector index.</summary>
    public void Write(WriteBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.IsEmpty) return;
        lock (_writeLock)
        {
            var (sequence, removed, added) = _sql.Commit(batch);
            _lucene.Delete(removed);
            var meta = batch.Documents.ToDictionary(d => d.Document.Id, d => SqliteChunkStore.MetadataPairs(d.Document).ToList());
            _lucene.Add(added.Select(a =>
            {
                var c = a.Doc.Chunks[a.Index];
                var d = a.Doc.Document;
                return (new StoredChunk(a.RowId, c.Id, d.Id, d.FilePath, d.Title, c.Text, c.Start, c.End, c.Page, c.HeadingPath, c.Ordinal), meta[d.Id]);
            }));
            _lucene.Commit(sequence);
            lock (_vectorLock)
            {
                if (_vectors is null) return;
                foreach (var id in removed) _vectors.Remove(id);
                foreach (var (rowId, doc, index) in added)
                    if (doc.Embeddings is { } e) _vectors.Upsert(rowId, e[index].Span);
            }
        }
    }

    /// <summary>
    /// The dense index over every stored embedding, loaded on first use and kept current by <see cref="Write"/>:
    /// exact SIMD search (<see cref="ExactVectorIndex"/>); null when nothing is embedded.
    /// </summary>
    public IVectorIndex? VectorIndex
    {
        get
        {
            lock (_vectorLock)
            {
                if (_vectors is not null) return _vectors;
                if (!int.TryParse(_sql.GetMeta(EmbeddingDimensionsKey), out var dims)) return null;
                var index = new ExactVectorIndex(dims, initialCapacity: Math.Max(1024, (int)_sql.Scalar("SELECT COUNT(*) FROM chunks")));
                foreach (var (rowId, vector) in _sql.Embeddings()) index.Upsert(rowId, vector);
                return _vectors = index;
            }
        }
    }

    internal LuceneChunkIndex Lucene => _lucene;

    /// <summary>Chunks by row id (missing ids are absent from the result).</summary>
    public IReadOnlyDictionary<long, StoredChunk> GetChunks(IEnumerable<long> rowIds) => _sql.GetChunks(rowIds);

    /// <summary>Chunks by their stable chunk ids.</summary>
    public IReadOnlyList<StoredChunk> GetChunksByKey(IEnumerable<string> chunkIds) => _sql.ChunksByKey(chunkIds);

    /// <summary>The stored (normalised) embedding of a chunk, or null.</summary>
    public float[]? GetEmbedding(long rowId) => _sql.Embedding(rowId);

    /// <summary>The chunks of a document in order.</summary>
    public IReadOnlyList<StoredChunk> GetDocumentChunks(string documentId) => _sql.ChunksOfDocument(documentId);

    /// <summary>The full text of a document (citation spans index it), or null.</summary>
    public string? GetDocumentText(string documentId) => _sql.DocumentText(documentId);

    /// <summary>Row ids of chunks whose document matches <paramref name="filter"/>.</summary>
    public IReadOnlySet<long> RowIdsMatching(MetadataFilter filter) => _sql.RowIdsMatching(filter);

    /// <summary>The last ingested state of a file, or null.</summary>
    public FileRecord? GetFile(string path) => _sql.GetFile(path);

    /// <summary>Document id → content hash for the documents that came from <paramref name="path"/>.</summary>
    public IReadOnlyDictionary<string, string> GetDocumentHashes(string path) => _sql.DocumentHashesOfFile(path);

    /// <summary>Every file path the knowledge base has documents or a record for.</summary>
    public IReadOnlyList<string> GetFilePaths() => _sql.FilePaths();

    /// <summary>Counts and sizes.</summary>
    public KnowledgeBaseStats GetStats()
    {
        static long Size(string path) => System.IO.Directory.Exists(path)
            ? new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;
        var sqliteBytes = new[] { "kb.sqlite", "kb.sqlite-wal", "kb.sqlite-shm" }.Select(f => Path.Combine(Folder, f)).Where(File.Exists).Sum(f => new FileInfo(f).Length);
        int.TryParse(_sql.GetMeta(EmbeddingDimensionsKey), out var dims);
        return new KnowledgeBaseStats(Folder, (int)_sql.Scalar("SELECT COUNT(*) FROM files"), (int)_sql.Scalar("SELECT COUNT(*) FROM documents"),
            (int)_sql.Scalar("SELECT COUNT(*) FROM chunks"), (int)_sql.Scalar("SELECT COUNT(*) FROM chunks WHERE embedding IS NOT NULL"),
            _lucene.Count, EmbeddingModel, dims > 0 ? dims : null, sqliteBytes, Size(Path.Combine(Folder, "lucene")),
            _sql.Scalar("SELECT SUM(LENGTH(text)) FROM documents"));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_writeLock)
        {
            _lucene.Dispose();
            _vectors?.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }
}
