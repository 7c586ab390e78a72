using RagTune.Evaluation.Retrieval;
using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Store;

namespace RagTune.Cli.Rag;

/// <summary>
/// Adapts a chunk retriever to <see cref="IRankedRetriever"/> for <c>eval retrieval</c>: each document once, at the
/// score of its best chunk (BEIR's max-passage convention). Owns the knowledge base it was opened on.
/// </summary>
internal sealed class KnowledgeBaseRankedRetriever(KnowledgeBase kb, IChunkRetriever retriever) : IRankedRetriever, IDisposable
{
    public static KnowledgeBaseRankedRetriever Open(string folder, string mode)
    {
        var kb = KnowledgeBases.OpenForReading(folder);
        try { return new KnowledgeBaseRankedRetriever(kb, RetrieverFactory.Open(kb, mode)); }
        catch { kb.Dispose(); throw; }
    }

    public async Task<IReadOnlyList<RankedDocument>> RetrieveAsync(string query, int k, CancellationToken cancellationToken = default)
    {
        // Over-fetch chunks: several may belong to one document.
        var chunks = await retriever.RetrieveAsync(query, new RetrievalOptions { TopK = k * 3 }, cancellationToken);
        return chunks.GroupBy(c => c.Chunk.DocumentId).Select(g => new RankedDocument(g.Key, g.Max(c => c.Score)))
            .OrderByDescending(d => d.Score).Take(k).ToList();
    }

    public void Dispose() => kb.Dispose();
}
