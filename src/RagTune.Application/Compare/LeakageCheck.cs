using RagTune.Evaluation.Compare.Metrics;
using RagTune.Evaluation.Compare.Reports;

namespace RagTune.Application.Compare;

/// <summary>
/// Proves before any training that no test question occurs in any arm's training data: every test (and update-test)
/// input is normalised as SQuAD answers are (lower case, no punctuation or articles, single spaces) and searched as a
/// whole-word substring of every normalised training record, generated RAFT and paraphrase data included.
/// </summary>
internal static class LeakageCheck
{
    public const string Method = "Each test input, normalised (lower case, punctuation and articles removed, whitespace collapsed), was searched as a whole-word substring of every normalised training record of every arm (documents, rewrites, task and RAFT examples).";

    public static IntegrityReport Run(IEnumerable<CompareItem> testItems, IReadOnlyDictionary<string, IReadOnlyList<string>> trainingRecordsByFile)
    {
        var questions = testItems.Select(i => (i.Id, Text: " " + AnswerNormalizer.Normalize(i.Input) + " ")).Where(q => q.Text.Trim().Length > 0).ToList();
        var records = trainingRecordsByFile.SelectMany(f => f.Value.Select(r => (File: f.Key, Text: " " + AnswerNormalizer.Normalize(r) + " "))).ToList();
        var leaks = new List<string>();
        foreach (var q in questions)
            foreach (var r in records)
                if (r.Text.Contains(q.Text, StringComparison.Ordinal)) { leaks.Add($"test item '{q.Id}' (\"{q.Text.Trim()}\") occurs in {r.File}"); break; }
        if (leaks.Count > 0)
            throw new CompareConfigException($"integrity check failed: {leaks.Count} test question(s) occur in training data, so a trained arm would be scored on what it memorised: " +
                                             string.Join("; ", leaks.Take(5)) + (leaks.Count > 5 ? "; …" : "") + ". HINT: remove these items from the training data (or the documents) or from the test set.");
        return new IntegrityReport { Checked = true, TestQuestions = questions.Count, TrainingRecords = records.Count, Overlaps = 0, Method = Method };
    }
}
