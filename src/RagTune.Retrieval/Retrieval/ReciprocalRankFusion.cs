namespace RagTune.Retrieval.Retrieval;

/// <summary>
/// Reciprocal rank fusion (Cormack, Clarke &amp; Büttcher, SIGIR 2009): score(d) = Σ_lists 1 / (k + rank(d)), rank
/// 1-based. Only ranks matter, so BM25 scores and cosines need no calibration. k = 60 as in the paper.
/// </summary>
public sealed class ReciprocalRankFusion
{
    /// <summary>Fusion with constant <paramref name="k"/> (default 60).</summary>
    public ReciprocalRankFusion(int k = 60)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        K = k;
    }

    /// <summary>The rank constant.</summary>
    public int K { get; }

    /// <summary>The fused top <paramref name="topK"/>; ties keep the order of first appearance.</summary>
    public IReadOnlyList<RetrievedChunk> Fuse(IEnumerable<IReadOnlyList<RetrievedChunk>> rankings, int topK)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        var scores = new Dictionary<long, (RetrievedChunk Chunk, double Score, int First)>();
        var order = 0;
        foreach (var ranking in rankings)
            for (var rank = 0; rank < ranking.Count; rank++)
            {
                var hit = ranking[rank];
                var add = 1.0 / (K + rank + 1);
                scores[hit.Chunk.RowId] = scores.TryGetValue(hit.Chunk.RowId, out var s) ? (s.Chunk, s.Score + add, s.First) : (hit, add, order++);
            }
        return scores.Values.OrderByDescending(s => s.Score).ThenBy(s => s.First).Take(topK)
            .Select(s => new RetrievedChunk(s.Chunk.Chunk, s.Score)).ToList();
    }
}
