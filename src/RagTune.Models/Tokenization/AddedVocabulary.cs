namespace RagTune.Models.Tokenization;

/// <summary>An added token (tokenizers <c>AddedToken</c>) with its matching flags.</summary>
internal sealed record AddedTokenSpec(int Id, string Content, bool Special, bool SingleWord = false, bool LStrip = false, bool RStrip = false, bool Normalized = false);

/// <summary>
/// The tokens matched in the text before the model sees it (tokenizers <c>AddedVocabulary</c>): leftmost-longest
/// matching, <c>single_word</c> (only at word boundaries), <c>lstrip</c>/<c>rstrip</c> (eat the whitespace
/// beside the match). Tokens with <c>normalized: false</c> are matched in the raw text, the others in
/// normalized chunks.
/// </summary>
internal sealed class AddedVocabulary
{
    readonly Dictionary<string, AddedTokenSpec> _byContent = new(StringComparer.Ordinal);
    readonly Dictionary<int, AddedTokenSpec> _byId = new();
    readonly Matcher _raw;
    readonly Matcher _normalized;

    public AddedVocabulary(IEnumerable<AddedTokenSpec> tokens, INormalizer? normalizer)
    {
        var list = tokens.ToList();
        foreach (var t in list)
        {
            _byContent[t.Content] = t;
            _byId[t.Id] = t;
        }
        _raw = new Matcher(list.Where(t => !t.Normalized || normalizer is null).Select(t => (t.Content, t)));
        _normalized = new Matcher(list.Where(t => t.Normalized && normalizer is not null).Select(t => (normalizer!.Normalize(t.Content), t)));
    }

    public IReadOnlyCollection<AddedTokenSpec> Tokens => _byId.Values;

    public bool TryGet(int id, out AddedTokenSpec token) => _byId.TryGetValue(id, out token!);

    public bool TryGet(string content, out AddedTokenSpec token) => _byContent.TryGetValue(content, out token!);

    /// <summary>Splits raw text: each part is either an added token or a text chunk (with whether it starts the input).</summary>
    public List<(AddedTokenSpec? Token, string Text, bool AtStart)> SplitRaw(string text, bool atStart) => _raw.Split(text, atStart);

    /// <summary>Splits an already normalized chunk on the normalized added tokens.</summary>
    public List<(AddedTokenSpec? Token, string Text, bool AtStart)> SplitNormalized(string text, bool atStart) => _normalized.Split(text, atStart);

    sealed class Matcher
    {
        // Candidates by first character, longest first, so the first hit at a position is the longest.
        readonly Dictionary<char, List<(string Pattern, AddedTokenSpec Token)>> _byFirst = new();

        public Matcher(IEnumerable<(string Pattern, AddedTokenSpec Token)> items)
        {
            foreach (var (p, t) in items)
            {
                if (p.Length == 0) continue;
                if (!_byFirst.TryGetValue(p[0], out var list)) _byFirst[p[0]] = list = [];
                list.Add((p, t));
            }
            foreach (var list in _byFirst.Values) list.Sort((a, b) => b.Pattern.Length.CompareTo(a.Pattern.Length));
        }

        public List<(AddedTokenSpec?, string, bool)> Split(string text, bool atStart)
        {
            var result = new List<(AddedTokenSpec?, string, bool)>();
            if (_byFirst.Count == 0 || text.Length == 0)
            {
                result.Add((null, text, atStart));
                return result;
            }
            var chunkStart = 0;
            for (var i = 0; i < text.Length;)
            {
                if (!TryMatch(text, i, out var pattern, out var token)) { i++; continue; }
                int start = i, stop = i + pattern.Length;
                if (token.SingleWord && !(IsWordBoundaryBefore(text, start) && IsWordBoundaryAfter(text, stop)))
                {
                    i = stop;
                    continue;
                }
                if (token.LStrip)
                {
                    var s = start;
                    while (s > chunkStart && char.IsWhiteSpace(text[s - 1])) s--;
                    start = s;
                }
                if (token.RStrip)
                    while (stop < text.Length && char.IsWhiteSpace(text[stop])) stop++;
                if (start > chunkStart) result.Add((null, text[chunkStart..start], atStart && chunkStart == 0));
                result.Add((token, text[start..stop], atStart && start == 0));
                chunkStart = stop;
                i = stop;
            }
            if (chunkStart < text.Length) result.Add((null, text[chunkStart..], atStart && chunkStart == 0));
            return result;
        }

        bool TryMatch(string text, int i, out string pattern, out AddedTokenSpec token)
        {
            if (_byFirst.TryGetValue(text[i], out var list))
                foreach (var (p, t) in list)
                    if (string.CompareOrdinal(text, i, p, 0, p.Length) == 0)
                    {
                        pattern = p;
                        token = t;
                        return true;
                    }
            pattern = "";
            token = null!;
            return false;
        }

        static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

        static bool IsWordBoundaryBefore(string text, int start) => start == 0 || !IsWordChar(text[start - 1]);

        static bool IsWordBoundaryAfter(string text, int stop) => stop == text.Length || !IsWordChar(text[stop]);
    }
}
