using System.Globalization;
using System.Text;

namespace RagTune.Models.Tokenization;

/// <summary>A tokenizer.json normalizer: rewrites text before pre-tokenization (huggingface/tokenizers <c>normalizers</c>).</summary>
internal interface INormalizer
{
    string Normalize(string text);
}

internal sealed class SequenceNormalizer(IReadOnlyList<INormalizer> items) : INormalizer
{
    public string Normalize(string text)
    {
        foreach (var n in items) text = n.Normalize(text);
        return text;
    }
}

internal sealed class UnicodeNormalizer(NormalizationForm form) : INormalizer
{
    public string Normalize(string text) => text.IsNormalized(form) ? text : text.Normalize(form);
}

internal sealed class LowercaseNormalizer : INormalizer
{
    public string Normalize(string text) => text.ToLowerInvariant();
}

/// <summary>Removes combining marks (category Mn); tokenizers expects an NFD normalizer before it.</summary>
internal sealed class StripAccentsNormalizer : INormalizer
{
    public string Normalize(string text) => TextCategories.RemoveNonSpacingMarks(text);
}

internal sealed class StripNormalizer(bool left, bool right) : INormalizer
{
    public string Normalize(string text) => left && right ? text.Trim() : left ? text.TrimStart() : right ? text.TrimEnd() : text;
}

/// <summary>Prepends a string to every non-empty chunk (Llama 2's <c>Prepend("▁")</c>).</summary>
internal sealed class PrependNormalizer(string prefix) : INormalizer
{
    public string Normalize(string text) => text.Length == 0 ? text : prefix + text;
}

internal sealed class ReplaceNormalizer(string? literal, CodePointRegex? regex, string content) : INormalizer
{
    public string Normalize(string text) => TextCategories.Replace(text, literal, regex, content);
}

/// <summary>
/// BERT's normalizer (tokenizers <c>normalizers::bert</c>, transformers <c>BasicTokenizer</c>): drop control
/// characters and map whitespace to spaces, surround CJK ideographs with spaces, strip accents, lower-case.
/// </summary>
internal sealed class BertNormalizer(bool cleanText, bool handleChineseChars, bool? stripAccents, bool lowercase) : INormalizer
{
    public string Normalize(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        foreach (var rune in text.EnumerateRunes())
        {
            var cp = rune.Value;
            if (cleanText)
            {
                if (cp == 0 || cp == 0xFFFD || TextCategories.IsBertControl(rune)) continue;
                if (TextCategories.IsWhitespace(rune)) { sb.Append(' '); continue; }
            }
            if (handleChineseChars && TextCategories.IsChineseChar(cp)) sb.Append(' ').Append(rune.ToString()).Append(' ');
            else sb.Append(rune.ToString());
        }
        var result = sb.ToString();
        // strip_accents defaults to the lowercase flag (BertTokenizer: "determined by the value for lowercase").
        if (stripAccents ?? lowercase) result = TextCategories.RemoveNonSpacingMarks(result.Normalize(NormalizationForm.FormD));
        if (lowercase) result = result.ToLowerInvariant();
        return result;
    }
}

/// <summary>Character classes with the Unicode semantics of Rust's <c>char</c> methods and Python's <c>unicodedata</c>.</summary>
internal static class TextCategories
{
    /// <summary>Rust <c>char::is_whitespace</c> (the Unicode White_Space property).</summary>
    public static bool IsWhitespace(Rune r) => Rune.IsWhiteSpace(r);

    public static bool IsWhitespace(char c) => char.IsWhiteSpace(c);

    /// <summary>BERT's "control": category C* except tab, newline and carriage return.</summary>
    public static bool IsBertControl(Rune r)
    {
        if (r.Value is '\t' or '\n' or '\r') return false;
        return Rune.GetUnicodeCategory(r) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;
    }

    /// <summary>BERT's punctuation: ASCII punctuation or any Unicode P* category.</summary>
    public static bool IsBertPunctuation(Rune r)
    {
        var cp = r.Value;
        if (cp is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126) return true;
        return Rune.GetUnicodeCategory(r) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>The CJK Unified Ideograph blocks BERT isolates (transformers <c>_is_chinese_char</c>).</summary>
    public static bool IsChineseChar(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
            or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;

    public static string RemoveNonSpacingMarks(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var r in text.EnumerateRunes())
            if (Rune.GetUnicodeCategory(r) != UnicodeCategory.NonSpacingMark) sb.Append(r.ToString());
        return sb.ToString();
    }

    public static string Replace(string text, string? literal, CodePointRegex? regex, string content)
    {
        if (literal is not null) return literal.Length == 0 ? text : text.Replace(literal, content, StringComparison.Ordinal);
        var sb = new StringBuilder(text.Length);
        var pos = 0;
        foreach (var (start, length) in regex!.Matches(text))
        {
            sb.Append(text, pos, start - pos).Append(content);
            pos = start + length;
        }
        return sb.Append(text, pos, text.Length - pos).ToString();
    }
}
