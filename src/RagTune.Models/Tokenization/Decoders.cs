using System.Text;

namespace RagTune.Models.Tokenization;

/// <summary>A tokenizer.json decoder: token strings in, text pieces out (tokenizers <c>Decoder::decode_chain</c>).</summary>
internal interface ITokenDecoder
{
    List<string> DecodeChain(List<string> tokens);
}

internal sealed class SequenceDecoder(IReadOnlyList<ITokenDecoder> items) : ITokenDecoder
{
    public List<string> DecodeChain(List<string> tokens)
    {
        foreach (var d in items) tokens = d.DecodeChain(tokens);
        return tokens;
    }
}

internal sealed class ByteLevelDecoder : ITokenDecoder
{
    public List<string> DecodeChain(List<string> tokens)
    {
        var bytes = new List<byte>();
        foreach (var t in tokens) ByteLevelAlphabet.AppendBytes(t, bytes);
        return [Encoding.UTF8.GetString(bytes.ToArray())];
    }
}

/// <summary>WordPiece: "##" pieces glue to the previous token, others get a space; optional English cleanup.</summary>
internal sealed class WordPieceDecoder(string prefix, bool cleanup) : ITokenDecoder
{
    public List<string> DecodeChain(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (i != 0) t = t.StartsWith(prefix, StringComparison.Ordinal) ? t[prefix.Length..] : " " + t;
            result.Add(cleanup ? CleanUp.WordPieceToken(t) : t);
        }
        return result;
    }
}

internal sealed class MetaspaceDecoder(char replacement, bool prependFirst) : ITokenDecoder
{
    public List<string> DecodeChain(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i].Replace(replacement, ' ');
            if (i == 0 && prependFirst && t.StartsWith(' ')) t = t[1..];
            result.Add(t);
        }
        return result;
    }
}

internal sealed class ReplaceDecoder(string? literal, CodePointRegex? regex, string content) : ITokenDecoder
{
    public List<string> DecodeChain(List<string> tokens) => tokens.Select(t => TextCategories.Replace(t, literal, regex, content)).ToList();
}

/// <summary>Turns runs of <c>&lt;0xXX&gt;</c> tokens back into text; invalid UTF-8 gives one U+FFFD per byte.</summary>
internal sealed class ByteFallbackDecoder : ITokenDecoder
{
    public List<string> DecodeChain(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        var pending = new List<byte>();
        void Flush()
        {
            if (pending.Count == 0) return;
            var bytes = pending.ToArray();
            try { result.Add(new UTF8Encoding(false, true).GetString(bytes)); }
            catch (DecoderFallbackException) { result.AddRange(Enumerable.Repeat("\uFFFD", bytes.Length)); }
            pending.Clear();
        }
        foreach (var t in tokens)
        {
            if (TryParseByteToken(t, out var b)) { pending.Add(b); continue; }
            Flush();
            result.Add(t);
        }
        Flush();
        return result;
    }

    public static bool TryParseByteToken(string token, out byte value)
    {
        value = 0;
        return token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
            && byte.TryParse(token.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out value);
    }
}

internal sealed class FuseDecoder : ITokenDecoder
{
    public List<string> DecodeChain(List<string> tokens) => [string.Concat(tokens)];
}

/// <summary>Removes up to <paramref name="start"/>/<paramref name="stop"/> copies of a character at each token's ends.</summary>
internal sealed class StripDecoder(char content, int start, int stop) : ITokenDecoder
{
    public List<string> DecodeChain(List<string> tokens)
    {
        var result = new List<string>(tokens.Count);
        foreach (var t in tokens)
        {
            int s = 0, e = t.Length;
            for (var i = 0; i < start && s < e && t[s] == content; i++) s++;
            for (var i = 0; i < stop && e > s && t[e - 1] == content; i++) e--;
            result.Add(t[s..e]);
        }
        return result;
    }
}

/// <summary>Classic BPE with an end-of-word suffix (<c>&lt;/w&gt;</c>) that becomes a space.</summary>
internal sealed class BpeSuffixDecoder(string suffix) : ITokenDecoder
{
    public List<string> DecodeChain(List<string> tokens) =>
        tokens.Select((t, i) => t.Replace(suffix, i == tokens.Count - 1 ? "" : " ", StringComparison.Ordinal)).ToList();
}

/// <summary>The English detokenization cleanups of transformers and tokenizers.</summary>
internal static class CleanUp
{
    /// <summary>transformers <c>clean_up_tokenization</c> (applied when <c>clean_up_tokenization_spaces</c> is true).</summary>
    public static string Tokenization(string text) => text
        .Replace(" .", ".").Replace(" ?", "?").Replace(" !", "!").Replace(" ,", ",").Replace(" ' ", "'")
        .Replace(" n't", "n't").Replace(" 'm", "'m").Replace(" 's", "'s").Replace(" 've", "'ve").Replace(" 're", "'re");

    /// <summary>tokenizers' WordPiece decoder cleanup, applied per token.</summary>
    public static string WordPieceToken(string token) => token
        .Replace(" .", ".").Replace(" ?", "?").Replace(" !", "!").Replace(" ,", ",").Replace(" ' ", "'")
        .Replace(" n't", "n't").Replace(" 'm", "'m").Replace(" do not", " don't").Replace(" 's", "'s")
        .Replace(" 've", "'ve").Replace(" 're", "'re");
}
