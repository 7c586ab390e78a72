using RagTune.Models.Clients;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using RagTune.Retrieval.Store;

namespace RagTune.Retrieval.Retrieval;

/// <summary>
/// Retrieval through the Microsoft.Extensions.VectorData abstraction: any
/// <see cref="VectorStoreCollection{TKey,TRecord}"/> of <see cref="ChunkRecord"/>s — the embedded knowledge base
/// (<see cref="KnowledgeBaseChunkCollection"/>) or a server store — searched by the query's embedding, or with
/// <see cref="UseHybrid"/> by the collection's own hybrid search (<see cref="IKeywordHybridSearchable{TRecord}"/>).
/// Metadata filters become a LINQ predicate on the record (source, doc, title are supported).
/// </summary>
public sealed class VectorStoreRetriever : IChunkRetriever
{
    readonly VectorStoreCollection<string, ChunkRecord> _collection;
    readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;

    /// <summary>Searches <paramref name="collection"/> with query vectors from <paramref name="embedder"/>.</summary>
    public VectorStoreRetriever(VectorStoreCollection<string, ChunkRecord> collection, IEmbeddingGenerator<string, Embedding<float>> embedder)
    {
        _collection = collection ?? throw new ArgumentNullException(nameof(collection));
        _embedder = embedder ?? throw new ArgumentNullException(nameof(embedder));
    }

    /// <summary>Use the collection's keyword hybrid search (query words as keywords) when it offers one.</summary>
    public bool UseHybrid { get; init; }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(string query, RetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RetrievalOptions();
        options.Validate();
        var embedding = (await _embedder.GenerateAsync([query], EmbeddingPurpose.Query(), cancellationToken).ConfigureAwait(false))[0].Vector;
        var filter = ToPredicate(options.Filter);
        IAsyncEnumerable<VectorSearchResult<ChunkRecord>> results;
        if (UseHybrid && _collection is IKeywordHybridSearchable<ChunkRecord> hybrid)
            results = hybrid.HybridSearchAsync(embedding, query.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries), options.TopK,
                new HybridSearchOptions<ChunkRecord> { Filter = filter, ScoreThreshold = options.MinScore }, cancellationToken);
        else
            results = _collection.SearchAsync(embedding, options.TopK,
                new VectorSearchOptions<ChunkRecord> { Filter = filter, ScoreThreshold = options.MinScore }, cancellationToken);
        var list = new List<RetrievedChunk>();
        await foreach (var r in results.ConfigureAwait(false))
        {
            var c = r.Record;
            list.Add(new RetrievedChunk(new StoredChunk(RowIdOf(c.Key), c.Key, c.DocumentId, c.SourcePath, c.Title, c.Text, c.Start, c.End, c.Page, c.HeadingPath, 0), r.Score ?? 0));
        }
        return list;
    }

    /// <summary>A stable 63-bit number for a record key (fusion and MMR key chunks by number).</summary>
    static long RowIdOf(string key) => BinaryPrimitives.ReadInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(key))) & long.MaxValue;

    static System.Linq.Expressions.Expression<Func<ChunkRecord, bool>>? ToPredicate(MetadataFilter? filter)
    {
        if (filter is null || filter.Conditions.Count == 0) return null;
        string? source = filter.Conditions.GetValueOrDefault("source"), doc = filter.Conditions.GetValueOrDefault("doc"), title = filter.Conditions.GetValueOrDefault("title");
        var unsupported = filter.Conditions.Keys.Except(["source", "doc", "title"]).ToList();
        if (unsupported.Count > 0)
            throw new NotSupportedException($"Vector-store filters support source, doc and title; not {string.Join(", ", unsupported)}.");
        return r => (source == null || r.SourcePath == source) && (doc == null || r.DocumentId == doc) && (title == null || r.Title == title);
    }
}
