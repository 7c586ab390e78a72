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
/// The dense index is exact for small corpora and a persisted HNSW graph (<c>vectors.hnsw</c>) for large ones
/// (<see cref="IndexKind"/>, <see cref="HnswThreshold"/>); either is reconciled against SQLite (the source of truth)
/// whenever SQLite's sequence number moved since the index last saw it — after a crash between the SQLite commit and
/// the index flush, and in readers when another process committed.
/// </summary>
public sealed class KnowledgeBase : IDisposable
{
    const string EmbeddingModelKey = "embedding.model";
    const string EmbeddingDimensionsKey = "embedding.dims";
    const string IndexKindKey = "index.kind";
    const string HnswThresholdKey = "index.hnsw_threshold";
    const string HnswFileName = "vectors.hnsw";

    /// <summary>Embedded chunks from which <see cref="VectorIndexKind.Auto"/> switches from exact search to HNSW.</summary>
    public const int DefaultHnswThreshold = 20_000;

    // A large HNSW file is rewritten at most this often during an ingest (and always on dispose); a crash in between
    // loses nothing: the next open reconciles the file against SQLite.
    static readonly TimeSpan HnswFlushInterval = TimeSpan.FromSeconds(30);

    readonly SqliteChunkStore _sql;
    readonly LuceneChunkIndex _lucene;
    readonly object _writeLock = new();
    readonly object _vectorLock = new();
    IVectorIndex? _vectors;
    long _vectorSequence = -1;
    bool _vectorsDirty;
    DateTime _lastVectorFlush = DateTime.UtcNow;

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
                if (_vectors is null)
                {
                    // A persisted HNSW index is kept current during ingest (loading it reconciles this batch too);
                    // an exact one is cheap to build at the first search.
                    if (File.Exists(HnswPath) || (batch.Documents.Any(d => d.Embeddings is not null) && WantsHnsw(null))) LoadVectors();
                    return;
                }
                foreach (var id in removed) _vectors.Remove(id);
                foreach (var (rowId, doc, index) in added)
                    if (doc.Embeddings is { } e) _vectors.Upsert(rowId, e[index].Span);
                if (_vectorSequence == sequence - 1) _vectorSequence = sequence; // else another writer's commits: reconcile at the next search
                _vectorsDirty = true;
                if (_vectors is ExactVectorIndex exact && WantsHnsw(exact.Count)) { LoadVectors(); return; } // crossed the threshold
                if (DateTime.UtcNow - _lastVectorFlush > HnswFlushInterval) FlushVectors();
            }
        }
    }

    /// <summary>Which dense index to use (stored in the knowledge base; default <see cref="VectorIndexKind.Auto"/>).</summary>
    public VectorIndexKind IndexKind =>
        Enum.TryParse<VectorIndexKind>(_sql.GetMeta(IndexKindKey), ignoreCase: true, out var kind) ? kind : VectorIndexKind.Auto;

    /// <summary>Embedded chunks from which <see cref="VectorIndexKind.Auto"/> uses HNSW (default <see cref="DefaultHnswThreshold"/>).</summary>
    public int HnswThreshold => int.TryParse(_sql.GetMeta(HnswThresholdKey), out var t) ? t : DefaultHnswThreshold;

    /// <summary>The persisted HNSW index file (present once the knowledge base used HNSW).</summary>
    public string HnswPath => Path.Combine(Folder, HnswFileName);

    /// <summary>Stores the dense-index choice and switches to it (building and saving the HNSW graph when it is chosen).</summary>
    public void SetIndexKind(VectorIndexKind kind, int? hnswThreshold = null)
    {
        if (IsReadOnly) throw new InvalidOperationException($"Knowledge base '{Folder}' is open read-only; the index kind is set by the writer.");
        if (hnswThreshold is { } t) ArgumentOutOfRangeException.ThrowIfNegative(t, nameof(hnswThreshold));
        _sql.SetMeta(IndexKindKey, kind.ToString().ToLowerInvariant());
        if (hnswThreshold is { } threshold) _sql.SetMeta(HnswThresholdKey, threshold.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Switch now, in the writer: readers never write the HNSW file, so building it lazily in a reader would
        // rebuild the graph in memory at every read-only open.
        lock (_vectorLock) { _vectorSequence = -1; LoadVectors(); }
    }

    bool WantsHnsw(int? embedded) => IndexKind switch
    {
        VectorIndexKind.Hnsw => true,
        VectorIndexKind.Exact => false,
        _ => (embedded ?? (int)_sql.Scalar("SELECT COUNT(*) FROM chunks WHERE embedding IS NOT NULL")) >= HnswThreshold,
    };

    /// <summary>
    /// The dense index over every stored embedding, kept current by <see cref="Write"/> and reconciled with SQLite when
    /// another process committed since it was loaded: exact SIMD search (<see cref="ExactVectorIndex"/>) or the persisted
    /// <see cref="HnswVectorIndex"/>, as <see cref="IndexKind"/> says; null when nothing is embedded.
    /// </summary>
    public IVectorIndex? VectorIndex
    {
        get
        {
            lock (_vectorLock)
            {
                if (_vectors is not null && _vectorSequence == _sql.Sequence) return _vectors;
                return LoadVectors();
            }
        }
    }

    /// <summary>What the last (re)load of the dense index repaired: vectors added from SQLite, stale ones dropped,
    /// and whether the HNSW file was rebuilt from scratch (missing or unreadable).</summary>
    public VectorIndexReconcileReport? VectorIndexReconciled { get; private set; }

    /// <summary>Makes <see cref="_vectors"/> the right kind and equal to SQLite's embeddings. Caller holds _vectorLock.</summary>
    IVectorIndex? LoadVectors()
    {
        if (!int.TryParse(_sql.GetMeta(EmbeddingDimensionsKey), out var dims)) return null;
        // Sequence first: a commit after this point makes the next call reconcile again, never miss it.
        var sequence = _sql.Sequence;
        var inSql = _sql.EmbeddedRowIds();
        var hnsw = WantsHnsw(inSql.Count);
        var rebuilt = false;
        if (_vectors is null || (_vectors is HnswVectorIndex) != hnsw)
        {
            // The previous index is not disposed: a search may still be running on it.
            _vectors = hnsw ? OpenHnsw(dims, out rebuilt) : new ExactVectorIndex(dims, initialCapacity: Math.Max(1024, inSql.Count));
        }
        var present = _vectors.GetIds().ToHashSet();
        var wanted = inSql.ToHashSet();
        var stale = present.Where(id => !wanted.Contains(id)).ToList();
        foreach (var id in stale) _vectors.Remove(id);
        var missing = inSql.Where(id => !present.Contains(id)).ToList();
        foreach (var (rowId, vector) in _sql.Embeddings(missing)) _vectors.Upsert(rowId, vector);
        VectorIndexReconciled = new VectorIndexReconcileReport(missing.Count, stale.Count, rebuilt);
        _vectorSequence = sequence;
        if (missing.Count + stale.Count > 0 || rebuilt) { _vectorsDirty = true; FlushVectors(); }
        return _vectors;
    }

    HnswVectorIndex OpenHnsw(int dims, out bool rebuilt)
    {
        rebuilt = true;
        if (!File.Exists(HnswPath)) return new HnswVectorIndex(dims, path: HnswPath);
        try
        {
            var index = HnswVectorIndex.Load(HnswPath);
            if (index.Dimensions == dims) { rebuilt = false; return index; }
            index.Dispose();
        }
        catch (InvalidDataException) { } // corrupt or torn file: SQLite has every vector, rebuild from it
        catch (EndOfStreamException) { }
        return new HnswVectorIndex(dims, path: HnswPath);
    }

    /// <summary>Writes a changed HNSW index to its file (exact indexes live in memory only; readers never write).
    /// Caller holds _vectorLock.</summary>
    void FlushVectors()
    {
        if (IsReadOnly || !_vectorsDirty || _vectors is not HnswVectorIndex hnsw) return;
        hnsw.Flush();
        _vectorsDirty = false;
        _lastVectorFlush = DateTime.UtcNow;
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
            lock (_vectorLock)
            {
                FlushVectors();
                _vectors?.Dispose();
            }
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }
}
