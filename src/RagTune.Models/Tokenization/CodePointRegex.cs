using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace RagTune.Models.Tokenization;

/// <summary>
/// A .NET regex that matches by Unicode code point like the Rust/Oniguruma regexes Hugging Face uses.
/// .NET matches UTF-16 units, so a letter outside the BMP (a surrogate pair, category Cs) would miss <c>\p{L}</c>.
/// Each astral code point is therefore replaced by a BMP character of the same general category before matching,
/// and match positions are mapped back. Patterns only test categories and ASCII literals, so this is exact.
/// </summary>
internal sealed class CodePointRegex
{
    static readonly char[] CategoryStandIns = BuildStandIns();
    readonly Regex _regex;

    public CodePointRegex(string pattern)
    {
        _regex = new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
    }

    public string Pattern => _regex.ToString();

    /// <summary>Non-overlapping matches as (start, length) in UTF-16 units of <paramref name="text"/>.</summary>
    public List<(int Start, int Length)> Matches(string text)
    {
        var result = new List<(int, int)>();
        var hasSurrogates = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;
        if (!hasSurrogates)
        {
            foreach (var m in _regex.EnumerateMatches(text)) result.Add((m.Index, m.Length));
            return result;
        }
        // mapped[i] = the stand-in string; offsets[i] = position in text of mapped char i (plus a final entry).
        var mapped = new StringBuilder(text.Length);
        var offsets = new List<int>(text.Length + 1);
        for (var i = 0; i < text.Length; i++)
        {
            offsets.Add(i);
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var cat = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1]));
                mapped.Append(CategoryStandIns[(int)cat]);
                i++;
            }
            else mapped.Append(text[i]);
        }
        offsets.Add(text.Length);
        foreach (var m in _regex.EnumerateMatches(mapped.ToString()))
        {
            var start = offsets[m.Index];
            result.Add((start, offsets[m.Index + m.Length] - start));
        }
        return result;
    }

    static char[] BuildStandIns()
    {
        var table = new char[32];
        // Start above Latin-1 so that no stand-in is an ASCII literal a pattern could name ('s, \r, \n, space).
        for (var c = 0x100; c < 0xFFFF; c++)
        {
            var ch = (char)c;
            if (char.IsSurrogate(ch) || char.IsWhiteSpace(ch)) continue;
            var cat = (int)char.GetUnicodeCategory(ch);
            if (table[cat] == '\0') table[cat] = ch;
        }
        for (var i = 0; i < table.Length; i++) if (table[i] == '\0') table[i] = '\uE000';
        return table;
    }
}
