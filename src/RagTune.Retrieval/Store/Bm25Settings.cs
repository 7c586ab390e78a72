using Lucene.Net.Analysis;
using Lucene.Net.Analysis.En;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Util;

namespace RagTune.Retrieval.Store;

/// <summary>
/// The lexical side of a knowledge base, stated once: Lucene's <see cref="EnglishAnalyzer"/> (standard tokenizer,
/// English possessive filter, lower-casing, English stop words, Porter stemming) and BM25 with k1 = 1.2, b = 0.75
/// (Robertson's usual values, Lucene's defaults). Index and queries must use the same analyzer.
/// </summary>
public static class Bm25Settings
{
    /// <summary>Term-frequency saturation.</summary>
    public const float K1 = 1.2f;

    /// <summary>Length normalisation.</summary>
    public const float B = 0.75f;

    /// <summary>The Lucene version whose analysis behaviour is used.</summary>
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    /// <summary>A new analyzer (analyzers hold per-thread state; one per index or searcher).</summary>
    public static Analyzer CreateAnalyzer() => new EnglishAnalyzer(Version);

    /// <summary>The similarity used to index and to search.</summary>
    public static Similarity CreateSimilarity() => new BM25Similarity(K1, B);
}
