using Lucene.Net.Index;
using Lucene.Net.Search;
using RagTune.Retrieval.Store;

namespace RagTune.Retrieval.Retrieval;

/// <summary>
/// BM25 over the knowledge base's Lucene index with <see cref="Bm25Settings"/> (EnglishAnalyzer: stemming and stop
/// words; k1 = 1.2, b = 0.75). The query is analysed like the documents and each term is an optional clause, so the
/// score is Lucene's own BM25 sum. Metadata filters are Lucene filters (they do not change scores).
/// </summary>
public sealed class LuceneBm25Retriever : IChunkRetriever
{
    readonly KnowledgeBase _kb;

    /// <summary>A BM25 retriever over <paramref name="knowledgeBase"/>.</summary>
    public LuceneBm25Retriever(KnowledgeBase knowledgeBase) => _kb = knowledgeBase ?? throw new ArgumentNullException(nameof(knowledgeBase));

    /// <inheritdoc/>
    public Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(string query, RetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        options ??= new RetrievalOptions();
        options.Validate();
        var terms = _kb.Lucene.Analyze(query);
        if (terms.Count == 0) return Task.FromResult<IReadOnlyList<RetrievedChunk>>([]);
        var boolean = new BooleanQuery();
        foreach (var term in terms.Take(BooleanQuery.MaxClauseCount))
            boolean.Add(new TermQuery(new Term(LuceneChunkIndex.TextField, term)), Occur.SHOULD);
        var hits = _kb.Lucene.Search(boolean, ToLuceneFilter(options.Filter), options.TopK);
        if (options.MinScore is { } min) hits = hits.Where(h => h.Score >= min).ToList();
        var chunks = _kb.GetChunks(hits.Select(h => h.RowId));
        IReadOnlyList<RetrievedChunk> result = hits.Where(h => chunks.ContainsKey(h.RowId))
            .Select(h => new RetrievedChunk(chunks[h.RowId], h.Score)).ToList();
        return Task.FromResult(result);
    }

    static Filter? ToLuceneFilter(MetadataFilter? filter)
    {
        if (filter is null || filter.Conditions.Count == 0) return null;
        var all = new BooleanQuery();
        foreach (var (key, value) in filter.Conditions) all.Add(new TermQuery(new Term("meta." + key, value)), Occur.MUST);
        return new QueryWrapperFilter(all);
    }
}
