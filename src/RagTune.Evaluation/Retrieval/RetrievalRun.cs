using System.Globalization;

namespace RagTune.Evaluation.Retrieval;

/// <summary>
/// A run: the ranked documents returned for each query. Stored as <c>qid&lt;TAB&gt;docid&lt;TAB&gt;score</c> lines;
/// TREC's six-column format (<c>qid Q0 docid rank score tag</c>) is read as well. As in trec_eval, the order of the
/// lines does not matter: rankings are re-sorted by score when evaluated.
/// </summary>
public sealed class RetrievalRun
{
    readonly Dictionary<string, List<RankedDocument>> _byQuery = new(StringComparer.Ordinal);
    readonly Dictionary<string, HashSet<string>> _seen = new(StringComparer.Ordinal);

    /// <summary>Query ids in the order they were first added.</summary>
    public IReadOnlyList<string> QueryIds => _order;
    readonly List<string> _order = [];

    /// <summary>The documents of <paramref name="queryId"/> as added, or null when the run has no line for it.</summary>
    public IReadOnlyList<RankedDocument>? For(string queryId) => _byQuery.GetValueOrDefault(queryId);

    /// <summary>Adds one retrieved document; a document may appear once per query (trec_eval rejects duplicates).</summary>
    public void Add(string queryId, string docId, double score)
    {
        ArgumentException.ThrowIfNullOrEmpty(queryId);
        ArgumentException.ThrowIfNullOrEmpty(docId);
        if (!_byQuery.TryGetValue(queryId, out var docs))
        {
            _byQuery[queryId] = docs = [];
            _seen[queryId] = new(StringComparer.Ordinal);
            _order.Add(queryId);
        }
        if (!_seen[queryId].Add(docId))
            throw new ArgumentException($"Document '{docId}' is already in the run for query '{queryId}'.", nameof(docId));
        docs.Add(new RankedDocument(docId, score));
    }

    /// <summary>Adds a whole ranking for <paramref name="queryId"/>; an empty ranking adds nothing (as an absent line).</summary>
    public void AddRange(string queryId, IEnumerable<RankedDocument> ranking)
    {
        foreach (var d in ranking) Add(queryId, d.DocId, d.Score);
    }

    /// <summary>Reads a run file (3-column TSV or TREC 6-column).</summary>
    /// <exception cref="InvalidDataException">A malformed line or a duplicate document; the message names file and line.</exception>
    public static RetrievalRun Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Run file '{path}' does not exist.", path);
        var run = new RetrievalRun();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var f = line.Split(line.Contains('\t') ? ['\t'] : [' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var (qid, docId, score) = f.Length switch
            {
                3 => (f[0], f[1], f[2]),
                6 => (f[0], f[2], f[4]),
                _ => throw new InvalidDataException($"{path}:{lineNumber}: expected 'qid<TAB>docid<TAB>score' or TREC 'qid Q0 docid rank score tag', got {f.Length} fields."),
            };
            if (!double.TryParse(score, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                throw new InvalidDataException($"{path}:{lineNumber}: score '{score}' is not a number.");
            try { run.Add(qid, docId, value); }
            catch (ArgumentException e) { throw new InvalidDataException($"{path}:{lineNumber}: {e.Message}", e); }
        }
        return run;
    }

    /// <summary>Writes <c>qid&lt;TAB&gt;docid&lt;TAB&gt;score</c> lines (queries in insertion order, documents as
    /// added; scores round-trip exactly) to <paramref name="path"/> via a temp file and rename.</summary>
    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = full + ".tmp";
        using (var writer = new StreamWriter(tmp, append: false, new System.Text.UTF8Encoding(false)))
        {
            writer.NewLine = "\n";
            foreach (var qid in _order)
                foreach (var d in _byQuery[qid])
                    writer.WriteLine($"{qid}\t{d.DocId}\t{d.Score.ToString("R", CultureInfo.InvariantCulture)}");
        }
        File.Move(tmp, full, overwrite: true);
    }
}
