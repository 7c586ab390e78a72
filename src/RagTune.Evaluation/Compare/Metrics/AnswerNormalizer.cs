using System.Text;

namespace RagTune.Evaluation.Compare.Metrics;

/// <summary>
/// SQuAD's answer normalisation (the official evaluate-v1.1 script's <c>normalize_answer</c>): lower case, remove
/// punctuation, remove the articles a/an/the, collapse whitespace. Also used to compare test questions with training
/// text in the integrity check.
/// </summary>
public static class AnswerNormalizer
{
    static readonly HashSet<string> Articles = ["a", "an", "the"];

    /// <summary>The normalised text.</summary>
    public static string Normalize(string? text) => string.Join(' ', Tokens(text));

    /// <summary>The normalised tokens (what F1 counts).</summary>
    public static IReadOnlyList<string> Tokens(string? text)
    {
        if (string.IsNullOrEmpty(text)) return [];
        var sb = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
            // string.punctuation in the script is ASCII only; Unicode punctuation is removed too so “quotes” match.
            if (!char.IsPunctuation(c) && !char.IsSymbol(c)) sb.Append(c);
        return sb.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Where(t => !Articles.Contains(t)).ToList();
    }
}
