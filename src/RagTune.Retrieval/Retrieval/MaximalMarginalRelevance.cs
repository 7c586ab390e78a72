namespace RagTune.Retrieval.Retrieval;

/// <summary>
/// Maximal marginal relevance (Carbonell &amp; Goldstein, SIGIR 1998): picks, one at a time, the candidate maximising
/// λ·relevance − (1−λ)·max-similarity-to-already-picked, so near-duplicate chunks do not fill the context.
/// Relevance is the candidate's score scaled to [0, 1] within the list; similarity is word-set Jaccard unless a
/// similarity function (e.g. cosine of embeddings) is given.
/// </summary>
public sealed class MaximalMarginalRelevance
{
    readonly Func<RetrievedChunk, RetrievedChunk, double> _similarity;

    /// <summary>MMR with trade-off <paramref name="lambda"/> (1 = relevance only; default 0.7).</summary>
    public MaximalMarginalRelevance(double lambda = 0.7, Func<RetrievedChunk, RetrievedChunk, double>? similarity = null)
    {
        if (lambda is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ must be in [0, 1].");
        Lambda = lambda;
        _similarity = similarity ?? Jaccard;
    }

    /// <summary>The relevance/diversity trade-off.</summary>
    public double Lambda { get; }

    /// <summary>The top <paramref name="topK"/> of <paramref name="candidates"/> in MMR order.</summary>
    public IReadOnlyList<RetrievedChunk> Select(IReadOnlyList<RetrievedChunk> candidates, int topK)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        if (candidates.Count == 0) return candidates;
        var max = candidates.Max(c => c.Score);
        var min = candidates.Min(c => c.Score);
        double Relevance(RetrievedChunk c) => max > min ? (c.Score - min) / (max - min) : 1;
        var picked = new List<RetrievedChunk>();
        var left = candidates.ToList();
        while (picked.Count < topK && left.Count > 0)
        {
            var best = left.MaxBy(c => Lambda * Relevance(c) - (1 - Lambda) * (picked.Count == 0 ? 0 : picked.Max(p => _similarity(c, p))))!;
            picked.Add(best);
            left.Remove(best);
        }
        return picked;
    }

    static double Jaccard(RetrievedChunk a, RetrievedChunk b)
    {
        var x = Words(a.Chunk.Text);
        var y = Words(b.Chunk.Text);
        var union = x.Count + y.Count - x.Count(y.Contains);
        return union == 0 ? 0 : (double)x.Count(y.Contains) / union;
    }

    static HashSet<string> Words(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(w => w.Trim('.', ',', ';', ':', '!', '?', '"', '\'').ToLowerInvariant()).ToHashSet();
}
