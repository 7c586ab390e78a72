using RagTune.Models.Onnx;

namespace RagTune.Retrieval.Ingestion;

/// <summary>
/// Which embedding model an ingest uses: the one asked for, else the one the knowledge base already records (its
/// vectors must stay comparable), else — for a new, empty knowledge base — the built-in default
/// (<see cref="EmbeddingModelLocator.DefaultModel"/>), so search is hybrid out of the box. <c>none</c> keeps a knowledge
/// base BM25-only. A knowledge base that was ingested without embeddings stays so unless a model is named, so updating
/// it never leaves half its chunks without vectors.
/// </summary>
public static class IngestEmbeddingModel
{
    /// <summary>The model spec to embed with (a built-in name, folder or endpoint), or null for none.</summary>
    /// <param name="requested">The user's <c>--embed-model</c>, or null when not given.</param>
    /// <param name="recorded">The knowledge base's recorded model (<see cref="Store.KnowledgeBase.EmbeddingModel"/>).</param>
    /// <param name="knowledgeBaseIsEmpty">Whether the knowledge base holds no files yet.</param>
    public static string? Choose(string? requested, string? recorded, bool knowledgeBaseIsEmpty)
    {
        if (EmbeddingModelLocator.IsNone(requested))
        {
            if (recorded is not null)
                throw new ArgumentException($"The knowledge base holds embeddings of '{recorded}'; --embed-model none would leave new chunks without vectors. " +
                    "HINT: omit --embed-model to keep using it, or ingest into a new --kb folder.");
            return null;
        }
        if (requested is not null) return requested;
        if (recorded is not null) return recorded;
        return knowledgeBaseIsEmpty ? EmbeddingModelLocator.DefaultModel : null;
    }
}
