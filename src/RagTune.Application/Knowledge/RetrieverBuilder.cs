using Microsoft.Extensions.AI;
using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Store;

namespace RagTune.Application;

/// <summary>Builds a knowledge base's retriever for a mode; the one place of the rule for the default mode.</summary>
public static class RetrieverBuilder
{
    /// <summary>The mode used when none is asked for: hybrid when the knowledge base has embeddings, else bm25.</summary>
    public static RetrievalMode DefaultMode(KnowledgeBase kb) => kb.EmbeddingModel is null ? RetrievalMode.Bm25 : RetrievalMode.Hybrid;

    /// <summary>
    /// The retriever of <paramref name="kb"/> in <paramref name="mode"/> (null: <see cref="DefaultMode"/>). Dense and
    /// hybrid embed queries with <paramref name="embedder"/> (not disposed here) or, when null, with the model recorded at
    /// ingest, opened by <see cref="ModelClients.OpenEmbedder"/> and disposed with the returned retriever.
    /// </summary>
    /// <exception cref="ServiceException">Dense or hybrid on a knowledge base without embeddings.</exception>
    public static KnowledgeBaseRetriever Build(KnowledgeBase kb, RetrievalMode? mode = null, IEmbeddingGenerator<string, Embedding<float>>? embedder = null,
        ModelClientOptions? embedderOptions = null)
    {
        ArgumentNullException.ThrowIfNull(kb);
        var chosen = mode ?? DefaultMode(kb);
        var bm25 = new LuceneBm25Retriever(kb);
        if (chosen == RetrievalMode.Bm25) return new KnowledgeBaseRetriever(bm25, chosen, owned: null);
        IDisposable? owned = null;
        if (embedder is null)
        {
            var model = kb.EmbeddingModel ?? throw new ServiceException(
                $"Knowledge base '{kb.Folder}' has no embeddings, so --mode {chosen.Name()} cannot run. HINT: re-ingest with --embed-model minilm (or a folder or endpoint), or use --mode bm25.",
                ServiceErrorKind.BadArguments);
            embedder = ModelClients.OpenEmbedder(model, embedderOptions);
            owned = embedder;
        }
        var dense = new DenseVectorRetriever(kb, embedder);
        return new KnowledgeBaseRetriever(chosen == RetrievalMode.Dense ? dense : new HybridRetriever(bm25, dense), chosen, owned);
    }
}
