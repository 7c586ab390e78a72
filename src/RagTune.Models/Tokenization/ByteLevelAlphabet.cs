namespace RagTune.Models.Tokenization;

/// <summary>
/// GPT-2's byte ↔ printable-character table (openai/gpt-2 <c>encoder.py</c>, <c>bytes_to_unicode</c>): printable
/// Latin-1 bytes map to themselves, the other 68 bytes to U+0100 onwards, so every byte sequence is a string
/// without whitespace or control characters that BPE vocabularies can store.
/// </summary>
internal static class ByteLevelAlphabet
{
    public static readonly char[] ByteToChar = BuildTable();
    public static readonly Dictionary<char, byte> CharToByte = ByteToChar.Select((c, b) => (c, b)).ToDictionary(p => p.c, p => (byte)p.b);

    static char[] BuildTable()
    {
        var table = new char[256];
        var n = 0;
        for (var b = 0; b < 256; b++)
        {
            var printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char)b : (char)(256 + n++);
        }
        return table;
    }

    /// <summary>The UTF-8 bytes of <paramref name="text"/>, each written as its table character.</summary>
    public static string Encode(string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++) chars[i] = ByteToChar[bytes[i]];
        return new string(chars);
    }

    /// <summary>
    /// Appends the bytes a token stands for. A token with a character outside the table (an added token such as
    /// <c>&lt;|im_start|&gt;</c>) contributes its own UTF-8 bytes, as the tokenizers ByteLevel decoder does.
    /// </summary>
    public static void AppendBytes(string token, List<byte> output)
    {
        foreach (var c in token)
        {
            if (!CharToByte.ContainsKey(c))
            {
                output.AddRange(System.Text.Encoding.UTF8.GetBytes(token));
                return;
            }
        }
        foreach (var c in token) output.Add(CharToByte[c]);
    }
}
