using System.Text.RegularExpressions;
using RagTune.Retrieval.Ingestion;

namespace RagTune.Retrieval.Chunking;

/// <summary>
/// Structure-aware, token-aware chunking: headings → blocks (paragraphs) → sentences → words. Sentences are packed
/// greedily up to <see cref="ChunkingOptions.MaxTokens"/>; a heading or a page change starts a new chunk (so a chunk
/// has one heading path and one page to cite); within a section the next chunk repeats the last whole sentences
/// of the previous one up to <see cref="ChunkingOptions.OverlapTokens"/>. A sentence longer than the limit is cut
/// at word boundaries. Every chunk's text is exactly its span of the document text.
/// </summary>
public sealed partial class StructuredChunker : IChunker
{
    readonly ChunkingOptions _options;
    readonly ITokenCounter _counter;

    /// <summary>A chunker with <paramref name="options"/> counting with <paramref name="counter"/> (default: word estimate).</summary>
    public StructuredChunker(ChunkingOptions? options = null, ITokenCounter? counter = null)
    {
        _options = options ?? new ChunkingOptions();
        _options.Validate();
        _counter = counter ?? new WordCountTokenEstimator();
    }

    readonly record struct Unit(int Start, int End, int Tokens, string HeadingPath, int? Page, bool StartsSection);

    // A sentence ends at . ! ? (optionally followed by quotes/brackets) before whitespace, or at a line break.
    [GeneratedRegex(@"(?<=[.!?][""')\]]?)\s+|\n+")]
    private static partial Regex SentenceBreak();

    /// <inheritdoc/>
    public IReadOnlyList<TextChunk> Chunk(SourceDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var units = new List<Unit>();
        foreach (var block in document.Blocks) AddUnits(document.Text, block, units);

        var chunks = new List<TextChunk>();
        var current = new List<Unit>();
        var tokens = 0;
        foreach (var unit in units)
        {
            var boundary = current.Count > 0 && (unit.StartsSection || unit.Page != current[0].Page || unit.HeadingPath != current[^1].HeadingPath);
            if (current.Count > 0 && (boundary || tokens + unit.Tokens > _options.MaxTokens))
            {
                chunks.Add(Emit(document, current, chunks.Count));
                var overlap = boundary ? [] : Tail(current, unit.Tokens);
                current = overlap;
                tokens = overlap.Sum(u => u.Tokens);
            }
            current.Add(unit);
            tokens += unit.Tokens;
        }
        if (current.Count > 0) chunks.Add(Emit(document, current, chunks.Count));
        return chunks;
    }

    List<Unit> Tail(List<Unit> units, int nextTokens)
    {
        var tail = new List<Unit>();
        var sum = 0;
        for (var i = units.Count - 1; i > 0; i--) // never the whole previous chunk, or chunking would not advance
        {
            if (sum + units[i].Tokens > _options.OverlapTokens || sum + units[i].Tokens + nextTokens > _options.MaxTokens) break;
            sum += units[i].Tokens;
            tail.Insert(0, units[i] with { StartsSection = false });
        }
        return tail;
    }

    static TextChunk Emit(SourceDocument document, List<Unit> units, int ordinal)
    {
        var start = units[0].Start;
        var end = units[^1].End;
        var text = document.Text[start..end];
        return new TextChunk(TextChunk.StableId(document.Id, start, end, text), document.Id, ordinal, text, start, end,
            units[0].Page, units[0].HeadingPath, units.Sum(u => u.Tokens));
    }

    void AddUnits(string text, TextBlock block, List<Unit> units)
    {
        var first = true;
        var blockText = text.Substring(block.Start, block.Length);
        var position = 0;
        foreach (Match m in SentenceBreak().Matches(blockText).Append(null))
        {
            var end = m?.Index ?? blockText.Length;
            if (end > position)
            {
                AddSentence(text, block, block.Start + position, block.Start + end, block.IsHeading && first, units);
                first = false;
            }
            if (m is not null) position = m.Index + m.Length;
        }
    }

    void AddSentence(string text, TextBlock block, int start, int end, bool startsSection, List<Unit> units)
    {
        var tokens = _counter.Count(text[start..end]);
        if (tokens <= _options.MaxTokens)
        {
            units.Add(new Unit(start, end, tokens, block.HeadingPath, block.Page, startsSection));
            return;
        }
        // Too long for one chunk: cut at word boundaries, counting word by word (an upper bound for subword tokenizers).
        var pieceStart = start;
        var pieceTokens = 0;
        var i = start;
        while (i < end)
        {
            var wordEnd = i;
            while (wordEnd < end && !char.IsWhiteSpace(text[wordEnd])) wordEnd++;
            var next = wordEnd;
            while (next < end && char.IsWhiteSpace(text[next])) next++;
            var wordTokens = Math.Max(1, _counter.Count(text[i..wordEnd]));
            if (pieceTokens > 0 && pieceTokens + wordTokens > _options.MaxTokens)
            {
                units.Add(new Unit(pieceStart, TrimEnd(text, pieceStart, i), pieceTokens, block.HeadingPath, block.Page, startsSection));
                startsSection = false;
                pieceStart = i;
                pieceTokens = 0;
            }
            pieceTokens += wordTokens;
            i = next;
        }
        if (pieceTokens > 0) units.Add(new Unit(pieceStart, TrimEnd(text, pieceStart, end), Math.Min(pieceTokens, _options.MaxTokens), block.HeadingPath, block.Page, startsSection));
    }

    static int TrimEnd(string text, int start, int end)
    {
        while (end > start && char.IsWhiteSpace(text[end - 1])) end--;
        return end;
    }
}
