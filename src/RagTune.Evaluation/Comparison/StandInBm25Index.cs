namespace RagTune.Evaluation.Comparison;

/// <summary>
/// STAND-IN for the knowledge base of branch <c>rag</c> (SQLite + Lucene, <c>LuceneBm25Retriever</c>), not in main
/// yet: an in-memory BM25 (k1 = 1.2, b = 0.75) over markdown sections, replaced per document on re-ingest. Delete once
/// the real store is in main.
/// </summary>
internal sealed class StandInBm25Index
{
    sealed record Chunk(string Id, string DocumentId, string Text, string[] Terms);

    const double K1 = 1.2, B = 0.75;
    readonly List<Chunk> _chunks = [];

    public int ChunkCount => _chunks.Count;

    /// <summary>Adds a document's sections as chunks, replacing the chunks it had.</summary>
    public void Upsert(string documentId, string markdown)
    {
        _chunks.RemoveAll(c => c.DocumentId == documentId);
        var sections = markdown.Split("\n## ").Skip(1).Select(s => "## " + s.Trim()).ToList();
        for (var i = 0; i < sections.Count; i++)
            _chunks.Add(new Chunk($"{documentId}#{i}", documentId, sections[i], ContextSelector.Terms(sections[i]).ToArray()));
    }

    /// <summary>The <paramref name="k"/> best chunks for <paramref name="query"/>.</summary>
    public IReadOnlyList<(string DocumentId, string Text, double Score)> Search(string query, int k)
    {
        if (_chunks.Count == 0) return [];
        var avgLength = _chunks.Average(c => c.Terms.Length);
        var terms = ContextSelector.Terms(query).Distinct().ToList();
        var df = terms.ToDictionary(t => t, t => _chunks.Count(c => c.Terms.Contains(t)));
        return _chunks.Select(c =>
            {
                double score = 0;
                foreach (var t in terms)
                {
                    if (df[t] == 0) continue;
                    var tf = c.Terms.Count(x => x == t);
                    if (tf == 0) continue;
                    var idf = Math.Log(1 + (_chunks.Count - df[t] + 0.5) / (df[t] + 0.5));
                    score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * c.Terms.Length / avgLength));
                }
                return (c.DocumentId, c.Text, Score: score);
            })
            .Where(r => r.Score > 0).OrderByDescending(r => r.Score).Take(k).ToList();
    }
}
