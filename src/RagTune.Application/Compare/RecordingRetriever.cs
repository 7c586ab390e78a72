using RagTune.Retrieval.Retrieval;

namespace RagTune.Application.Compare;

/// <summary>Passes retrieval through and keeps the last result, so recall@k is measured on exactly what the answer used.</summary>
internal sealed class RecordingRetriever(IChunkRetriever inner) : IChunkRetriever
{
    public IReadOnlyList<RetrievedChunk> Last { get; private set; } = [];

    public async Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(string query, RetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        Last = await inner.RetrieveAsync(query, options, cancellationToken).ConfigureAwait(false);
        return Last;
    }
}
