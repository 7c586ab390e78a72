using RagTune.Models.Clients;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using RagTune.Retrieval.Chunking;
using RagTune.Retrieval.Ingestion;
using RagTune.Retrieval.Retrieval;

namespace RagTune.Retrieval.Store;

/// <summary>
/// The knowledge base as a Microsoft.Extensions.VectorData collection of <see cref="ChunkRecord"/>s, so code written
/// against <see cref="VectorStoreCollection{TKey,TRecord}"/> runs on the embedded store and on server stores alike.
/// Upserting records of a document rewrites that document from its stored chunks plus the new ones (its text
/// becomes the chunks joined by blank lines, spans re-based); vector search takes a vector or, with an embedder,
/// a string; hybrid search fuses dense and BM25 on the keywords by RRF. LINQ filters made of <c>&amp;&amp;</c>-joined
/// equalities on DocumentId, SourcePath or Title are pushed down into the vector search (and BM25); any other filter
/// is evaluated on the records of an over-fetched candidate list (×<see cref="FilterOverFetch"/>).
/// </summary>
public sealed class KnowledgeBaseChunkCollection : VectorStoreCollection<string, ChunkRecord>, IKeywordHybridSearchable<ChunkRecord>
{
    readonly KnowledgeBase _kb;
    readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;

    /// <summary>A collection view of <paramref name="knowledgeBase"/>; <paramref name="embedder"/> enables string search.</summary>
    public KnowledgeBaseChunkCollection(KnowledgeBase knowledgeBase, IEmbeddingGenerator<string, Embedding<float>>? embedder = null)
    {
        _kb = knowledgeBase ?? throw new ArgumentNullException(nameof(knowledgeBase));
        _embedder = embedder;
    }

    /// <summary>Candidates per requested result when a LINQ filter is given.</summary>
    public int FilterOverFetch { get; init; } = 20;

    /// <inheritdoc/>
    public override string Name => Path.GetFileName(_kb.Folder);

    /// <inheritdoc/>
    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) => Task.FromResult(true);

    /// <inheritdoc/>
    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc/>
    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Delete the knowledge-base folder to delete the collection.");

    /// <inheritdoc/>
    public override Task<ChunkRecord?> GetAsync(string key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        var chunk = _kb.GetChunksByKey([key]).FirstOrDefault();
        return Task.FromResult(chunk is null ? null : ChunkRecord.From(chunk, options?.IncludeVectors == true ? _kb.GetEmbedding(chunk.RowId) : null));
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChunkRecord> GetAsync(Expression<Func<ChunkRecord, bool>> filter, int top,
        FilteredRecordRetrievalOptions<ChunkRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // No index on arbitrary predicates: scan documents' chunks in storage order.
        var predicate = filter.Compile();
        var skip = options?.Skip ?? 0;
        var rows = _kb.RowIdsMatching(new MetadataFilter(new Dictionary<string, string>())).Order();
        foreach (var slice in rows.Chunk(500))
        {
            foreach (var chunk in _kb.GetChunks(slice).Values.OrderBy(c => c.RowId))
            {
                var record = ChunkRecord.From(chunk, options?.IncludeVectors == true ? _kb.GetEmbedding(chunk.RowId) : null);
                if (!predicate(record)) continue;
                if (skip-- > 0) continue;
                yield return record;
                if (--top <= 0) yield break;
            }
            await Task.Yield();
        }
    }

    /// <inheritdoc/>
    public override Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var batch = new WriteBatch();
        batch.DeletedChunks.Add(key);
        _kb.Write(batch);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task UpsertAsync(ChunkRecord record, CancellationToken cancellationToken = default) => UpsertAsync([record], cancellationToken);

    /// <inheritdoc/>
    public override Task UpsertAsync(IEnumerable<ChunkRecord> records, CancellationToken cancellationToken = default)
    {
        var batch = new WriteBatch();
        foreach (var group in records.GroupBy(r => r.DocumentId))
        {
            var incoming = group.ToDictionary(r => r.Key);
            var kept = _kb.GetDocumentChunks(group.Key).Where(c => !incoming.ContainsKey(c.ChunkId))
                .Select(c => ChunkRecord.From(c, _kb.GetEmbedding(c.RowId)));
            var all = kept.Concat(incoming.Values).OrderBy(r => r.Start).ThenBy(r => r.Key, StringComparer.Ordinal).ToList();
            batch.Documents.Add(Rebuild(group.Key, all));
        }
        // Records bring their own vectors: keep the model the knowledge base names (only the dimension must agree).
        if (batch.Documents.FirstOrDefault(d => d.Embeddings is { Count: > 0 }) is { Embeddings: { } e })
            _kb.SetEmbeddingModel(_kb.EmbeddingModel ?? _embedder?.GetType().Name ?? "external", e[0].Length);
        _kb.Write(batch);
        return Task.CompletedTask;
    }

    static DocumentWrite Rebuild(string documentId, List<ChunkRecord> records)
    {
        var text = new System.Text.StringBuilder();
        var blocks = new List<TextBlock>();
        var chunks = new List<TextChunk>();
        var vectors = new List<ReadOnlyMemory<float>>();
        foreach (var r in records)
        {
            if (text.Length > 0) text.Append("\n\n");
            var start = text.Length;
            text.Append(r.Text);
            blocks.Add(new TextBlock(start, r.Text.Length, r.HeadingPath, r.Page));
            chunks.Add(new TextChunk(r.Key, documentId, chunks.Count, r.Text, start, text.Length, r.Page, r.HeadingPath, 0));
            if (r.Embedding is { } e) { var v = e.ToArray(); DenseVectorRetriever.Normalize(v); vectors.Add(v); }
        }
        if (vectors.Count != 0 && vectors.Count != records.Count)
            throw new ArgumentException($"Document '{documentId}': either every chunk record has an embedding or none does.");
        var first = records[0];
        var document = new SourceDocument(documentId, first.SourcePath, first.Title, text.ToString(), blocks);
        return new DocumentWrite(document, chunks, vectors.Count == 0 ? null : vectors);
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<VectorSearchResult<ChunkRecord>> SearchAsync<TInput>(TInput searchValue, int top,
        VectorSearchOptions<ChunkRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        var vector = await ToVectorAsync(searchValue, cancellationToken).ConfigureAwait(false);
        var index = _kb.VectorIndex ?? throw new InvalidOperationException("The knowledge base has no embeddings.");
        var skip = options?.Skip ?? 0;
        var (predicate, pushedDown, _) = Filters(options?.Filter);
        var fetch = (top + skip) * (predicate is null || pushedDown is not null ? 1 : FilterOverFetch);
        var hits = index.Search(vector, fetch, pushedDown);
        var chunks = _kb.GetChunks(hits.Select(h => h.Id));
        var results = hits.Where(h => chunks.ContainsKey(h.Id))
            .Select(h => new VectorSearchResult<ChunkRecord>(ChunkRecord.From(chunks[h.Id], options?.IncludeVectors == true ? _kb.GetEmbedding(h.Id) : null), h.Score))
            .Where(r => predicate is null || predicate(r.Record))
            .Where(r => options?.ScoreThreshold is not { } t || r.Score >= t)
            .Skip(skip).Take(top);
        foreach (var r in results) yield return r;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<VectorSearchResult<ChunkRecord>> HybridSearchAsync<TInput>(TInput searchValue, ICollection<string> keywords, int top,
        HybridSearchOptions<ChunkRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        var skip = options?.Skip ?? 0;
        var (predicate, pushedDown, metadata) = Filters(options?.Filter);
        var fetch = Math.Max(50, (top + skip) * (predicate is null || pushedDown is not null ? 1 : FilterOverFetch));
        var vector = await ToVectorAsync(searchValue, cancellationToken).ConfigureAwait(false);
        var index = _kb.VectorIndex ?? throw new InvalidOperationException("The knowledge base has no embeddings.");
        var denseHits = index.Search(vector, fetch, pushedDown);
        var chunks = _kb.GetChunks(denseHits.Select(h => h.Id));
        var dense = denseHits.Where(h => chunks.ContainsKey(h.Id)).Select(h => new RetrievedChunk(chunks[h.Id], h.Score)).ToList();
        var lexical = await new LuceneBm25Retriever(_kb).RetrieveAsync(string.Join(' ', keywords), new RetrievalOptions { TopK = fetch, Filter = metadata }, cancellationToken).ConfigureAwait(false);
        var fused = new ReciprocalRankFusion().Fuse([lexical, dense], fetch)
            .Select(f => new VectorSearchResult<ChunkRecord>(ChunkRecord.From(f.Chunk, options?.IncludeVectors == true ? _kb.GetEmbedding(f.Chunk.RowId) : null), f.Score))
            .Where(r => predicate is null || predicate(r.Record))
            .Where(r => options?.ScoreThreshold is not { } t || r.Score >= t)
            .Skip(skip).Take(top);
        foreach (var r in fused) yield return r;
    }

    /// <summary>The compiled post-filter and, when the filter translates to stored filter pairs, the row-id callback
    /// that pushes it into the vector search (then no over-fetch is needed).</summary>
    (Func<ChunkRecord, bool>? Predicate, Func<long, bool>? PushedDown, MetadataFilter? Metadata) Filters(
        System.Linq.Expressions.Expression<Func<ChunkRecord, bool>>? filter)
    {
        if (filter is null) return (null, null, null);
        if (!ChunkRecordFilterTranslator.TryTranslate(filter, out var metadata)) return (filter.Compile(), null, null);
        var allowed = _kb.RowIdsMatching(metadata);
        return (filter.Compile(), allowed.Contains, metadata);
    }

    async Task<float[]> ToVectorAsync<TInput>(TInput value, CancellationToken cancellationToken)
    {
        float[] vector = value switch
        {
            ReadOnlyMemory<float> m => m.ToArray(),
            float[] a => (float[])a.Clone(),
            Embedding<float> e => e.Vector.ToArray(),
            string s when _embedder is not null => (await _embedder.GenerateAsync([s], EmbeddingPurpose.Query(), cancellationToken).ConfigureAwait(false))[0].Vector.ToArray(),
            string => throw new NotSupportedException("Searching by text needs an embedding generator; pass one to the collection's constructor."),
            _ => throw new NotSupportedException($"Search input of type {typeof(TInput).Name} is not supported; use ReadOnlyMemory<float>, float[], Embedding<float> or string."),
        };
        DenseVectorRetriever.Normalize(vector);
        return vector;
    }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(KnowledgeBase) ? _kb
        : serviceType == typeof(VectorStoreCollectionMetadata) ? new VectorStoreCollectionMetadata { VectorStoreSystemName = "ragtune", CollectionName = Name }
        : serviceType.IsInstanceOfType(this) ? this : null;
}
