using RagTune.Models.Tokenization;

namespace RagTune.Models.Generation;

/// <summary>
/// The decoded text of one generated sequence as it grows: finds stop strings, and releases text for streaming only
/// once it is final — not while the tail is an incomplete UTF-8 character (U+FFFD) or could still become a stop string.
/// </summary>
internal sealed class StreamingText(ITokenizer tokenizer, IReadOnlyList<string> stopStrings)
{
    readonly List<int> _ids = [];
    string _text = "";
    int _emitted;

    /// <summary>The text so far (cut before the stop string once one was found).</summary>
    public string Text => _text;

    /// <summary>Adds a token; returns the newly final text and whether a stop string now ends the sequence.</summary>
    public (string Delta, bool Stopped) Append(int id)
    {
        _ids.Add(id);
        // Decoding the whole sequence (not token by token) keeps merges across token boundaries (BPE bytes,
        // SentencePiece spaces) exactly as tokenizer.decode would produce them.
        _text = tokenizer.Decode(_ids, skipSpecialTokens: true);
        var cut = FirstStop(_text);
        if (cut >= 0)
        {
            _text = _text[..cut];
            return (Flush(), true);
        }
        var final = _text.Length - HoldBack(_text);
        if (final <= _emitted) return ("", false);
        var delta = _text[_emitted..final];
        _emitted = final;
        return (delta, false);
    }

    /// <summary>Everything not yet released (end of generation).</summary>
    public string Flush()
    {
        var delta = _emitted < _text.Length ? _text[_emitted..] : "";
        _emitted = _text.Length;
        return delta;
    }

    int FirstStop(string text)
    {
        var first = -1;
        foreach (var stop in stopStrings)
        {
            if (stop.Length == 0) continue;
            var at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first)) first = at;
        }
        return first;
    }

    int HoldBack(string text)
    {
        var hold = 0;
        while (hold < text.Length && text[^(hold + 1)] == '\uFFFD') hold++;
        foreach (var stop in stopStrings)
            for (var k = Math.Min(stop.Length - 1, text.Length); k > hold; k--)
                if (text.AsSpan(text.Length - k).SequenceEqual(stop.AsSpan(0, k))) { hold = k; break; }
        return hold;
    }
}
