using RagTune.Models.Clients;
using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using RagTune.Retrieval.Store;
using RagTune.Retrieval.Vectors;

namespace RagTune.Retrieval.Retrieval;

/// <summary>
/// Dense retrieval: the query is embedded by any <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/> (the local
/// encoder, an OpenAI-compatible server, a test embedder), L2-normalised, and searched in an
/// <see cref="IVectorIndex"/> (default: the knowledge base's). Scores are cosine similarities.
/// </summary>
public sealed class DenseVectorRetriever : IChunkRetriever
{
    readonly KnowledgeBase _kb;
    readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    readonly IVectorIndex? _index;

    /// <summary>Dense retrieval over <paramref name="knowledgeBase"/> with <paramref name="embedder"/> (the one used at ingest).</summary>
    public DenseVectorRetriever(KnowledgeBase knowledgeBase, IEmbeddingGenerator<string, Embedding<float>> embedder, IVectorIndex? index = null)
    {
        _kb = knowledgeBase ?? throw new ArgumentNullException(nameof(knowledgeBase));
        _embedder = embedder ?? throw new ArgumentNullException(nameof(embedder));
        _index = index;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(string query, RetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        options ??= new RetrievalOptions();
        options.Validate();
        var index = _index ?? _kb.VectorIndex
            ?? throw new InvalidOperationException($"Knowledge base '{_kb.Folder}' has no embeddings. HINT: ingest with --embed-model <dir>.");
        var vector = (await _embedder.GenerateAsync([query], EmbeddingPurpose.Query(), cancellationToken).ConfigureAwait(false))[0].Vector.ToArray();
        Normalize(vector);
        if (vector.Length != index.Dimensions)
            throw new InvalidOperationException($"The query embedding has {vector.Length} dimensions but the index has {index.Dimensions}. HINT: search with the embedding model used at ingest ({_kb.EmbeddingModel}).");
        var allowed = options.Filter is { Conditions.Count: > 0 } f ? _kb.RowIdsMatching(f) : null;
        var hits = index.Search(vector, options.TopK, allowed is null ? null : allowed.Contains);
        if (options.MinScore is { } min) hits = hits.Where(h => h.Score >= min).ToList();
        var chunks = _kb.GetChunks(hits.Select(h => h.Id));
        return hits.Where(h => chunks.ContainsKey(h.Id)).Select(h => new RetrievedChunk(chunks[h.Id], h.Score)).ToList();
    }

    /// <summary>Scales <paramref name="vector"/> to unit length (inner product = cosine); a zero vector stays zero.</summary>
    public static void Normalize(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0) TensorPrimitives.Divide(vector, norm, vector);
    }
}
