using RagTune.Retrieval.Retrieval;

namespace RagTune.Application.Compare;

/// <summary>classify + rag: labelled training examples in a knowledge base; the nearest ones (BM25) go into the prompt.</summary>
internal sealed class ExampleIndex(CompareKnowledge knowledge, IReadOnlyDictionary<string, (string Text, string Label)> byId) : IDisposable
{
    public Func<string, CancellationToken, Task<IReadOnlyList<(string Text, string Label)>>> NearestAsync(int k) => async (text, ct) =>
    {
        var hits = await knowledge.Retriever.RetrieveAsync(text, new RetrievalOptions { TopK = k }, ct).ConfigureAwait(false);
        // Record documents are "<file>#<id>".
        return hits.Select(h => h.Chunk.DocumentId[(h.Chunk.DocumentId.LastIndexOf('#') + 1)..])
            .Where(byId.ContainsKey).Distinct().Select(id => byId[id]).ToList();
    };

    public void Dispose() => knowledge.Dispose();
}
