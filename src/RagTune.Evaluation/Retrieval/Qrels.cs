using System.Globalization;

namespace RagTune.Evaluation.Retrieval;

/// <summary>
/// Relevance judgements: for each query id, the judged documents and their grades (0 = judged not relevant,
/// 1, 2, … = increasingly relevant; negative = in the pool but unjudged, as trec_eval reads them).
/// </summary>
public sealed class Qrels
{
    readonly Dictionary<string, Dictionary<string, int>> _byQuery;

    /// <summary>Wraps judgements keyed by query id, then document id.</summary>
    public Qrels(IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> judgements)
    {
        ArgumentNullException.ThrowIfNull(judgements);
        _byQuery = new(StringComparer.Ordinal);
        foreach (var (qid, docs) in judgements)
            _byQuery[qid] = new Dictionary<string, int>(docs, StringComparer.Ordinal);
    }

    Qrels(Dictionary<string, Dictionary<string, int>> byQuery) => _byQuery = byQuery;

    /// <summary>Query ids with at least one judgement, in ordinal order (the order trec_eval reports them).</summary>
    public IReadOnlyList<string> QueryIds => _byQuery.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The judgements of <paramref name="queryId"/>, or null when the query has none.</summary>
    public IReadOnlyDictionary<string, int>? For(string queryId) => _byQuery.GetValueOrDefault(queryId);

    /// <summary>
    /// Reads a qrels file: BEIR TSV (<c>query-id	corpus-id	score</c>, the first line a header) or TREC
    /// (<c>qid iter docid rel</c>, whitespace-separated, no header). A first line whose grade is not an integer is
    /// taken as the header.
    /// </summary>
    /// <exception cref="InvalidDataException">A malformed line or a repeated (query, document) pair; the message
    /// names file and line.</exception>
    public static Qrels Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Qrels file '{path}' does not exist.", path);
        var byQuery = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var fields = line.Split(line.Contains('\t') ? ['\t'] : [' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var (qid, docId, grade) = fields.Length switch
            {
                3 => (fields[0], fields[1], fields[2]),
                4 => (fields[0], fields[2], fields[3]),
                _ => throw new InvalidDataException($"{path}:{lineNumber}: expected 'query-id<TAB>corpus-id<TAB>score' (BEIR) or 'qid iter docid rel' (TREC), got {fields.Length} fields."),
            };
            if (!int.TryParse(grade, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var rel))
            {
                if (lineNumber == 1 && byQuery.Count == 0) continue; // the BEIR header: query-id corpus-id score
                throw new InvalidDataException($"{path}:{lineNumber}: relevance '{grade}' is not an integer.");
            }
            if (!byQuery.TryGetValue(qid, out var docs)) byQuery[qid] = docs = new(StringComparer.Ordinal);
            if (!docs.TryAdd(docId, rel))
                throw new InvalidDataException($"{path}:{lineNumber}: query '{qid}' judges document '{docId}' twice.");
        }
        return new Qrels(byQuery);
    }
}
