using Microsoft.Extensions.AI;
using RagTune.Retrieval.Retrieval;

namespace RagTune.Application;

/// <summary>
/// A knowledge base's retriever in one <see cref="RetrievalMode"/>, built by <see cref="RetrieverBuilder"/>. Disposing it
/// disposes the embedder it opened (an encoder model can hold hundreds of MB); the knowledge base stays the caller's.
/// </summary>
public sealed class KnowledgeBaseRetriever : IChunkRetriever, IDisposable
{
    readonly IChunkRetriever _inner;
    readonly IDisposable? _owned;

    internal KnowledgeBaseRetriever(IChunkRetriever inner, RetrievalMode mode, IDisposable? owned) => (_inner, Mode, _owned) = (inner, mode, owned);

    /// <summary>The mode this retriever searches in.</summary>
    public RetrievalMode Mode { get; }

    /// <inheritdoc/>
    public Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(string query, RetrievalOptions? options = null, CancellationToken cancellationToken = default) =>
        _inner.RetrieveAsync(query, options, cancellationToken);

    /// <inheritdoc/>
    public void Dispose() => _owned?.Dispose();
}
