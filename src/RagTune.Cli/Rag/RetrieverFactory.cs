using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Store;

namespace RagTune.Cli.Rag;

/// <summary>The retriever for a <c>--mode</c>: bm25, dense (with the embedder recorded at ingest) or hybrid (RRF of both).</summary>
internal static class RetrieverFactory
{
    public static readonly string[] Modes = ["bm25", "dense", "hybrid"];

    public static IChunkRetriever Open(KnowledgeBase kb, string mode)
    {
        var bm25 = new LuceneBm25Retriever(kb);
        if (mode == "bm25") return bm25;
        var model = kb.EmbeddingModel
            ?? throw new UserFacingException($"Knowledge base '{kb.Folder}' has no embeddings, so --mode {mode} cannot run. HINT: re-ingest with --embed-model <dir|endpoint>, or use --mode bm25.", ExitCode.BadArguments);
        var dense = new DenseVectorRetriever(kb, ModelClients.Embedder(model));
        return mode == "dense" ? dense : new HybridRetriever(bm25, dense);
    }
}
