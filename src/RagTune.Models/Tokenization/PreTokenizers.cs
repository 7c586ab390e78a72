using System.Text;

namespace RagTune.Models.Tokenization;

/// <summary>A piece of text between pre-tokenization steps; <paramref name="AtStart"/> = begins at offset 0 of the input.</summary>
internal readonly record struct PreToken(string Text, bool AtStart);

/// <summary>How a split keeps the delimiters it found (tokenizers <c>SplitDelimiterBehavior</c>).</summary>
internal enum SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous }

/// <summary>A tokenizer.json pre-tokenizer: splits each piece into smaller pieces (and may rewrite them).</summary>
internal interface IPreTokenizer
{
    void PreTokenize(string text, bool atStart, List<PreToken> output);
}

internal static class PreTokenizerExtensions
{
    public static List<PreToken> Apply(this IPreTokenizer p, List<PreToken> pieces)
    {
        var result = new List<PreToken>(pieces.Count * 2);
        foreach (var piece in pieces) p.PreTokenize(piece.Text, piece.AtStart, result);
        return result;
    }

    /// <summary>
    /// Cuts <paramref name="text"/> at the given matches with tokenizers' semantics for each
    /// <see cref="SplitBehavior"/> (<c>NormalizedString::split</c>).
    /// </summary>
    public static void SplitByMatches(string text, bool atStart, IEnumerable<(int Start, int Length)> matches, SplitBehavior behavior, bool invert, List<PreToken> output)
    {
        var segments = new List<(int Start, int End, bool IsMatch)>();
        var pos = 0;
        foreach (var (start, length) in matches)
        {
            if (length == 0) continue;
            if (start > pos) segments.Add((pos, start, invert));
            segments.Add((start, start + length, !invert));
            pos = start + length;
        }
        if (pos < text.Length) segments.Add((pos, text.Length, invert));

        var merged = new List<(int Start, int End, bool IsMatch)>(segments.Count);
        var previousMatch = false;
        switch (behavior)
        {
            case SplitBehavior.Removed:
                merged.AddRange(segments.Where(s => !s.IsMatch));
                break;
            case SplitBehavior.Isolated:
                merged.AddRange(segments);
                break;
            case SplitBehavior.MergedWithPrevious:
                foreach (var s in segments)
                {
                    if (s.IsMatch && !previousMatch && merged.Count > 0) merged[^1] = (merged[^1].Start, s.End, false);
                    else merged.Add(s);
                    previousMatch = s.IsMatch;
                }
                break;
            case SplitBehavior.MergedWithNext:
                for (var i = segments.Count - 1; i >= 0; i--)
                {
                    var s = segments[i];
                    if (s.IsMatch && !previousMatch && merged.Count > 0) merged[^1] = (s.Start, merged[^1].End, false);
                    else merged.Add(s);
                    previousMatch = s.IsMatch;
                }
                merged.Reverse();
                break;
            case SplitBehavior.Contiguous:
                foreach (var s in segments)
                {
                    if (s.IsMatch == previousMatch && merged.Count > 0) merged[^1] = (merged[^1].Start, s.End, false);
                    else merged.Add(s);
                    previousMatch = s.IsMatch;
                }
                break;
        }
        foreach (var s in merged)
            if (s.End > s.Start) output.Add(new PreToken(text[s.Start..s.End], atStart && s.Start == 0));
    }

    /// <summary>Matches of single characters satisfying <paramref name="predicate"/> (by code point).</summary>
    public static List<(int, int)> CharMatches(string text, Func<Rune, bool> predicate)
    {
        var result = new List<(int, int)>();
        for (var i = 0; i < text.Length;)
        {
            var r = Rune.GetRuneAt(text, i);
            if (predicate(r)) result.Add((i, r.Utf16SequenceLength));
            i += r.Utf16SequenceLength;
        }
        return result;
    }
}

internal sealed class SequencePreTokenizer(IReadOnlyList<IPreTokenizer> items) : IPreTokenizer
{
    public void PreTokenize(string text, bool atStart, List<PreToken> output)
    {
        var pieces = new List<PreToken> { new(text, atStart) };
        foreach (var p in items) pieces = p.Apply(pieces);
        output.AddRange(pieces);
    }
}

/// <summary>
/// GPT-2's byte-level pre-tokenizer: optional leading space, the GPT-2 regex split, then every piece rewritten
/// as its bytes in <see cref="ByteLevelAlphabet"/> characters.
/// </summary>
internal sealed class ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : IPreTokenizer
{
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
    static readonly CodePointRegex Gpt2Regex = new(Gpt2Pattern);

    public void PreTokenize(string text, bool atStart, List<PreToken> output)
    {
        if (addPrefixSpace && !text.StartsWith(' ')) text = " " + text;
        var pieces = new List<PreToken>();
        if (useRegex) PreTokenizerExtensions.SplitByMatches(text, atStart, Gpt2Regex.Matches(text), SplitBehavior.Isolated, false, pieces);
        else pieces.Add(new PreToken(text, atStart));
        foreach (var p in pieces) output.Add(p with { Text = ByteLevelAlphabet.Encode(p.Text) });
    }
}

/// <summary>tokenizers <c>Split</c>: a literal string or regex with a delimiter behaviour (Llama 3 and Qwen2 patterns).</summary>
internal sealed class SplitPreTokenizer(string? literal, CodePointRegex? regex, SplitBehavior behavior, bool invert) : IPreTokenizer
{
    public void PreTokenize(string text, bool atStart, List<PreToken> output)
    {
        IEnumerable<(int, int)> matches = regex is not null ? regex.Matches(text) : LiteralMatches(text, literal!);
        PreTokenizerExtensions.SplitByMatches(text, atStart, matches, behavior, invert, output);
    }

    static IEnumerable<(int, int)> LiteralMatches(string text, string literal)
    {
        if (literal.Length == 0) yield break;
        for (var i = text.IndexOf(literal, StringComparison.Ordinal); i >= 0; i = text.IndexOf(literal, i + literal.Length, StringComparison.Ordinal))
            yield return (i, literal.Length);
    }
}

/// <summary>BERT: split on whitespace (dropped) and isolate each punctuation character.</summary>
internal sealed class BertPreTokenizer : IPreTokenizer
{
    public void PreTokenize(string text, bool atStart, List<PreToken> output)
    {
        var words = new List<PreToken>();
        PreTokenizerExtensions.SplitByMatches(text, atStart, PreTokenizerExtensions.CharMatches(text, TextCategories.IsWhitespace), SplitBehavior.Removed, false, words);
        foreach (var w in words)
            PreTokenizerExtensions.SplitByMatches(w.Text, w.AtStart, PreTokenizerExtensions.CharMatches(w.Text, TextCategories.IsBertPunctuation), SplitBehavior.Isolated, false, output);
    }
}

internal sealed class WhitespaceSplitPreTokenizer : IPreTokenizer
{
    public void PreTokenize(string text, bool atStart, List<PreToken> output) =>
        PreTokenizerExtensions.SplitByMatches(text, atStart, PreTokenizerExtensions.CharMatches(text, TextCategories.IsWhitespace), SplitBehavior.Removed, false, output);
}

/// <summary>tokenizers <c>Whitespace</c>: the regex <c>\w+|[^\w\s]+</c>, keeping only the matches.</summary>
internal sealed class WhitespacePreTokenizer : IPreTokenizer
{
    static readonly CodePointRegex Regex = new(@"\w+|[^\w\s]+");

    public void PreTokenize(string text, bool atStart, List<PreToken> output) =>
        PreTokenizerExtensions.SplitByMatches(text, atStart, Regex.Matches(text), SplitBehavior.Removed, true, output);
}

internal sealed class PunctuationPreTokenizer(SplitBehavior behavior) : IPreTokenizer
{
    public void PreTokenize(string text, bool atStart, List<PreToken> output) =>
        PreTokenizerExtensions.SplitByMatches(text, atStart, PreTokenizerExtensions.CharMatches(text, TextCategories.IsBertPunctuation), behavior, false, output);
}

internal sealed class DigitsPreTokenizer(bool individualDigits) : IPreTokenizer
{
    public void PreTokenize(string text, bool atStart, List<PreToken> output) =>
        PreTokenizerExtensions.SplitByMatches(text, atStart, PreTokenizerExtensions.CharMatches(text, r => Rune.IsDigit(r)),
            individualDigits ? SplitBehavior.Isolated : SplitBehavior.Contiguous, false, output);
}

/// <summary>
/// SentencePiece-style spaces: ' ' becomes '▁' and a '▁' is prepended (always, or only to the piece at the start
/// of the input with <c>prepend_scheme: first</c>); optionally split before each '▁'.
/// </summary>
internal sealed class MetaspacePreTokenizer(char replacement, string prependScheme, bool split) : IPreTokenizer
{
    public void PreTokenize(string text, bool atStart, List<PreToken> output)
    {
        text = text.Replace(' ', replacement);
        var prepend = prependScheme switch { "always" => true, "first" => atStart, _ => false };
        if (prepend && !text.StartsWith(replacement)) text = replacement + text;
        if (!split) { output.Add(new PreToken(text, atStart)); return; }
        PreTokenizerExtensions.SplitByMatches(text, atStart, PreTokenizerExtensions.CharMatches(text, r => r.Value == replacement), SplitBehavior.MergedWithNext, false, output);
    }
}
