using System.Globalization;
using System.Text;

namespace RagTune.Models.Templates.Jinja;

internal enum TokenKind { Name, String, Integer, Float, Operator, End }

/// <summary>A token inside a <c>{{ }}</c> or <c>{% %}</c> tag; <see cref="Offset"/> is the position in the template.</summary>
internal readonly record struct JinjaToken(TokenKind Kind, string Text, object? Value, int Offset)
{
    public bool Is(string op) => (Kind == TokenKind.Operator || Kind == TokenKind.Name) && Text == op;
}

internal enum PartKind { Text, Output, Statement }

/// <summary>Template text, an output tag or a statement tag, after whitespace control.</summary>
internal sealed record TemplatePart(PartKind Kind, string Text, List<JinjaToken> Tokens, int Offset);

/// <summary>
/// Splits a template into text and tags the way Jinja2 does in transformers' environment
/// (<c>trim_blocks=True, lstrip_blocks=True</c>): <c>-</c> strips whitespace beside a tag, a newline right after a
/// block or comment tag is dropped, and spaces/tabs before a block tag at the start of a line are dropped.
/// </summary>
internal static class JinjaLexer
{
    static readonly string[] Operators = ["//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ".", ",", ":", "|"];

    sealed record RawPart(PartKind Kind, string Text, List<JinjaToken> Tokens, int Offset, bool IsBlockLike, bool StripBefore, bool StripAfter, bool KeepBefore, bool IsComment = false, bool KeepAfter = false);

    public static List<TemplatePart> Tokenize(string source)
    {
        var raw = new List<RawPart>();
        var pos = 0;
        while (pos < source.Length)
        {
            var open = NextOpen(source, pos);
            if (open < 0)
            {
                raw.Add(new RawPart(PartKind.Text, source[pos..], [], pos, false, false, false, false));
                break;
            }
            if (open > pos) raw.Add(new RawPart(PartKind.Text, source[pos..open], [], pos, false, false, false, false));
            var kind = source[open + 1];
            var i = open + 2;
            var stripBefore = i < source.Length && source[i] == '-';
            var keepBefore = i < source.Length && source[i] == '+';
            if (stripBefore || keepBefore) i++;
            if (kind == '#')
            {
                var close = source.IndexOf("#}", i, StringComparison.Ordinal);
                if (close < 0) throw Error(source, open, "unclosed comment '{#'");
                var stripAfter = close > i && source[close - 1] == '-';
                raw.Add(new RawPart(PartKind.Statement, "", [], open, true, stripBefore, stripAfter, keepBefore, IsComment: true));
                pos = close + 2;
                continue;
            }
            var (tokens, end, stripAfterTag, keepAfterTag) = LexTag(source, i, kind == '{' ? "}}" : "%}");
            raw.Add(new RawPart(kind == '{' ? PartKind.Output : PartKind.Statement, "", tokens, open, kind == '%', stripBefore, stripAfterTag, keepBefore, KeepAfter: keepAfterTag));
            pos = end;
        }

        // Whitespace control on the text parts, then comments disappear.
        var result = new List<TemplatePart>();
        for (var k = 0; k < raw.Count; k++)
        {
            var part = raw[k];
            if (part.Kind != PartKind.Text)
            {
                if (!part.IsComment) result.Add(new TemplatePart(part.Kind, "", part.Tokens, part.Offset));
                continue;
            }
            var original = part.Text;
            var prev = k > 0 ? raw[k - 1] : null;
            var next = k + 1 < raw.Count ? raw[k + 1] : null;
            int start = 0, end = original.Length;
            if (next is not null)
            {
                if (next.StripBefore) end = original.TrimEnd().Length;
                else if (next.IsBlockLike && !next.KeepBefore)
                {
                    // lstrip_blocks: spaces/tabs between the start of the line (in the source) and a block tag.
                    var lineStart = original.LastIndexOf('\n') + 1;
                    if ((lineStart > 0 || prev is null) && original.AsSpan(lineStart).Trim(" \t").IsEmpty) end = lineStart;
                }
            }
            if (prev is not null)
            {
                if (prev.StripAfter) start = original.Length - original.TrimStart().Length;
                else if (prev.IsBlockLike && !prev.KeepAfter)
                {
                    // trim_blocks: the first newline after a block or comment tag.
                    if (original.StartsWith("\r\n", StringComparison.Ordinal)) start = 2;
                    else if (original.StartsWith('\n')) start = 1;
                }
            }
            if (end > start) result.Add(new TemplatePart(PartKind.Text, original[start..end], [], part.Offset));
        }
        return result;
    }

    static int NextOpen(string s, int from)
    {
        for (var i = s.IndexOf('{', from); i >= 0 && i + 1 < s.Length; i = s.IndexOf('{', i + 1))
            if (s[i + 1] is '{' or '%' or '#') return i;
        return -1;
    }

    static (List<JinjaToken> Tokens, int End, bool StripAfter, bool KeepAfter) LexTag(string s, int i, string close)
    {
        var tokens = new List<JinjaToken>();
        var depth = 0;
        while (true)
        {
            while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
            if (i >= s.Length) throw Error(s, i, $"missing '{close}'");
            if (depth == 0)
            {
                if (s[i] is '-' or '+' && string.CompareOrdinal(s, i + 1, close, 0, 2) == 0)
                    return (tokens, i + 3, s[i] == '-', s[i] == '+');
                if (string.CompareOrdinal(s, i, close, 0, 2) == 0) return (tokens, i + 2, false, false);
            }
            var c = s[i];
            if (c is '\'' or '"')
            {
                var (value, end) = ReadString(s, i);
                tokens.Add(new JinjaToken(TokenKind.String, s[i..end], value, i));
                i = end;
            }
            else if (char.IsDigit(c))
            {
                var start = i;
                while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '_')) i++;
                var isFloat = false;
                if (i + 1 < s.Length && s[i] == '.' && char.IsDigit(s[i + 1]))
                {
                    isFloat = true;
                    i++;
                    while (i < s.Length && char.IsDigit(s[i])) i++;
                }
                if (i < s.Length && s[i] is 'e' or 'E' && i + 1 < s.Length && (char.IsDigit(s[i + 1]) || s[i + 1] is '-' or '+'))
                {
                    isFloat = true;
                    i += 2;
                    while (i < s.Length && char.IsDigit(s[i])) i++;
                }
                var text = s[start..i].Replace("_", "");
                tokens.Add(isFloat
                    ? new JinjaToken(TokenKind.Float, text, double.Parse(text, CultureInfo.InvariantCulture), start)
                    : new JinjaToken(TokenKind.Integer, text, long.Parse(text, CultureInfo.InvariantCulture), start));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_')) i++;
                tokens.Add(new JinjaToken(TokenKind.Name, s[start..i], null, start));
            }
            else
            {
                var op = Operators.FirstOrDefault(o => string.CompareOrdinal(s, i, o, 0, o.Length) == 0)
                    ?? throw Error(s, i, $"unexpected character '{c}'");
                if (op is "{" or "(" or "[") depth++;
                else if (op is "}" or ")" or "]") depth--;
                tokens.Add(new JinjaToken(TokenKind.Operator, op, null, i));
                i += op.Length;
            }
        }
    }

    static (string Value, int End) ReadString(string s, int start)
    {
        var quote = s[start];
        var sb = new StringBuilder();
        for (var i = start + 1; i < s.Length; i++)
        {
            var c = s[i];
            if (c == quote) return (sb.ToString(), i + 1);
            if (c != '\\' || i + 1 >= s.Length) { sb.Append(c); continue; }
            // Python string-literal escapes, as Jinja2 evaluates them.
            var e = s[++i];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case '0': sb.Append('\0'); break;
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case 'u' when i + 4 < s.Length:
                    sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 4), 16));
                    i += 4;
                    break;
                case 'x' when i + 2 < s.Length:
                    sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 2), 16));
                    i += 2;
                    break;
                case '\n': break;
                default: sb.Append('\\').Append(e); break;
            }
        }
        throw Error(s, start, "unterminated string literal");
    }

    public static TemplateException Error(string source, int offset, string message)
    {
        var (line, column) = Position(source, offset);
        return new TemplateException($"chat template: {message} at line {line}, column {column}");
    }

    public static (int Line, int Column) Position(string source, int offset)
    {
        offset = Math.Clamp(offset, 0, source.Length);
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
            if (source[i] == '\n') { line++; lineStart = i + 1; }
        return (line, offset - lineStart + 1);
    }
}
