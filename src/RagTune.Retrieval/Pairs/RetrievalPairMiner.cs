using System.Text.RegularExpressions;
using RagTune.Retrieval.Store;

namespace RagTune.Retrieval.Pairs;

/// <summary>
/// Training pairs for a retriever when the user has none, mined from a knowledge base's chunks: <b>title → passage</b>
/// (a chunk's document title, with its heading path, as the query) and the <b>inverse cloze task</b> (Lee et al. 2019,
/// https://arxiv.org/abs/1906.00300: one sentence of a chunk is the query, the chunk without that sentence the
/// positive). Deterministic for a seed.
/// </summary>
public static partial class RetrievalPairMiner
{
    /// <summary>A mined pair: the query and the passage it should retrieve.</summary>
    public sealed record Pair(string Query, string Positive, string Kind);

    /// <summary>Mines up to <paramref name="maxPairs"/> pairs from <paramref name="knowledgeBase"/>.</summary>
    /// <param name="knowledgeBase">The source of chunks.</param>
    /// <param name="titles">Emit title → passage pairs (documents with a title).</param>
    /// <param name="inverseCloze">Emit sentence → rest-of-passage pairs (chunks of at least three sentences).</param>
    /// <param name="maxPairs">Upper bound on the pairs returned.</param>
    /// <param name="seed">Seed for the sentence picked and the order.</param>
    public static IReadOnlyList<Pair> Mine(KnowledgeBase knowledgeBase, bool titles = true, bool inverseCloze = true, int maxPairs = 100_000, int seed = 42)
    {
        ArgumentNullException.ThrowIfNull(knowledgeBase);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPairs);
        var random = new Random(seed);
        var pairs = new List<Pair>();
        foreach (var path in knowledgeBase.GetFilePaths())
            foreach (var documentId in knowledgeBase.GetDocumentHashes(path).Keys.Order(StringComparer.Ordinal))
                foreach (var chunk in knowledgeBase.GetDocumentChunks(documentId))
                {
                    var title = string.Join(" — ", new[] { chunk.Title, chunk.HeadingPath }.Where(s => !string.IsNullOrWhiteSpace(s)).Distinct());
                    // Chunks of titled documents begin with the title: a query must not find itself verbatim in its passage.
                    var body = chunk.Title.Length > 0 && chunk.Text.StartsWith(chunk.Title, StringComparison.Ordinal) ? chunk.Text[chunk.Title.Length..].Trim() : chunk.Text.Trim();
                    if (titles && title.Length > 0 && body.Length > 0)
                        pairs.Add(new Pair(title, body, "title"));
                    if (!inverseCloze) continue;
                    var sentences = SentenceBoundary().Split(body).Where(s => s.Split(' ').Length >= 4).ToList();
                    if (sentences.Count < 3) continue;
                    var pick = random.Next(sentences.Count);
                    pairs.Add(new Pair(sentences[pick], string.Join(' ', sentences.Where((_, i) => i != pick)), "inverse-cloze"));
                }
        return pairs.OrderBy(_ => random.Next()).Take(maxPairs).ToList();
    }

    [GeneratedRegex(@"(?<=[.!?])\s+")]
    private static partial Regex SentenceBoundary();
}
