using System.Text;

namespace RagTune.Retrieval.Ingestion;

/// <summary>Strict UTF-8 decoding for text formats: invalid byte sequences and NUL bytes (binary content) are
/// errors with a message naming the offset, rather than U+FFFD soup in the index.</summary>
internal static class TextDecoding
{
    static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string DecodeUtf8(string path, byte[] bytes)
    {
        var nul = Array.IndexOf(bytes, (byte)0);
        if (nul >= 0)
            throw new InvalidDataException($"'{path}' looks binary (NUL byte at offset {nul}); expected UTF-8 text. HINT: convert it or exclude it.");
        var start = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? 3 : 0;
        try
        {
            return Strict.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"'{path}' is not valid UTF-8 (bad bytes at offset {e.Index + start}). HINT: re-save it as UTF-8.", e);
        }
    }

    /// <summary>Blocks of plain text separated by blank lines, as spans of <paramref name="text"/> itself.</summary>
    public static List<TextBlock> Paragraphs(string text, string headingPath = "", int? page = null)
    {
        var blocks = new List<TextBlock>();
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i >= text.Length) break;
            var end = text.IndexOf("\n\n", i, StringComparison.Ordinal);
            var crlf = text.IndexOf("\r\n\r\n", i, StringComparison.Ordinal);
            if (crlf >= 0 && (end < 0 || crlf < end)) end = crlf;
            if (end < 0) end = text.Length;
            var last = end;
            while (last > i && char.IsWhiteSpace(text[last - 1])) last--;
            blocks.Add(new TextBlock(i, last - i, headingPath, page));
            i = end;
        }
        return blocks;
    }
}
