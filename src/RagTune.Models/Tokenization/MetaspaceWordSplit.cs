namespace RagTune.Models.Tokenization;

/// <summary>
/// Cuts SentencePiece-style text ("▁Hello▁world") before every '▁' that follows another character. When no
/// vocabulary piece contains such a "x▁" boundary, no merge can span one, so BPE on each segment gives exactly
/// the result of BPE on the whole text — and segments (words) can be cached.
/// </summary>
internal static class MetaspaceWordSplit
{
    public const char Space = '\u2581';

    /// <summary>True when some piece contains '▁' and none has '▁' right after a different character.</summary>
    public static bool IsSafe(IEnumerable<string> pieces)
    {
        var sawSpace = false;
        foreach (var p in pieces)
        {
            for (var i = 0; i < p.Length; i++)
            {
                if (p[i] != Space) continue;
                sawSpace = true;
                if (i > 0 && p[i - 1] != Space) return false;
            }
        }
        return sawSpace;
    }

    public static IEnumerable<(int Start, int Length)> Segments(string text)
    {
        var start = 0;
        for (var i = 1; i < text.Length; i++)
        {
            if (text[i] == Space && text[i - 1] != Space)
            {
                yield return (start, i - start);
                start = i;
            }
        }
        if (start < text.Length) yield return (start, text.Length - start);
    }
}
