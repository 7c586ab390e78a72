using RagTune.Evaluation.Retrieval;
using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Store;

namespace RagTune.Application;

/// <summary>
/// A knowledge base's retriever as an <see cref="IRankedRetriever"/> of documents, for retrieval evaluation: each
/// document once, at the score of its best chunk (BEIR's max-passage convention). Owns the knowledge base and retriever.
/// </summary>
public sealed class KnowledgeBaseRankedRetriever : IRankedRetriever, IDisposable
{
    readonly KnowledgeBase _kb;
    readonly KnowledgeBaseRetriever _retriever;

    KnowledgeBaseRankedRetriever(KnowledgeBase kb, KnowledgeBaseRetriever retriever) => (_kb, _retriever) = (kb, retriever);

    /// <summary>Opens the knowledge base in <paramref name="folder"/> for reading and its retriever in <paramref name="mode"/>.</summary>
    public static KnowledgeBaseRankedRetriever Open(string folder, RetrievalMode? mode = null)
    {
        var kb = KnowledgeBases.OpenForReading(folder);
        try { return new KnowledgeBaseRankedRetriever(kb, RetrieverBuilder.Build(kb, mode)); }
        catch { kb.Dispose(); throw; }
    }

    /// <summary>The mode documents are retrieved in.</summary>
    public RetrievalMode Mode => _retriever.Mode;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RankedDocument>> RetrieveAsync(string query, int k, CancellationToken cancellationToken = default)
    {
        // Over-fetch chunks: several may belong to one document.
        var chunks = await _retriever.RetrieveAsync(query, new RetrievalOptions { TopK = k * 3 }, cancellationToken);
        return chunks.GroupBy(c => c.Chunk.DocumentId).Select(g => new RankedDocument(g.Key, g.Max(c => c.Score)))
            .OrderByDescending(d => d.Score).Take(k).ToList();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _retriever.Dispose();
        _kb.Dispose();
    }
}
