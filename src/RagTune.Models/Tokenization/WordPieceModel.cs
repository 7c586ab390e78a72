namespace RagTune.Models.Tokenization;

/// <summary>
/// WordPiece (BERT): greedy longest-prefix match, later pieces carry the continuing-subword prefix (<c>##</c>);
/// a word with no full segmentation, or longer than <c>max_input_chars_per_word</c> characters, becomes unk.
/// </summary>
internal sealed class WordPieceModel : ITokenModel
{
    readonly Dictionary<string, int> _vocab;
    readonly string[] _idToToken;
    readonly int _unkId;
    readonly string _prefix;
    readonly int _maxChars;

    public WordPieceModel(Dictionary<string, int> vocab, string unkToken, string continuingSubwordPrefix = "##", int maxInputCharsPerWord = 100)
    {
        _vocab = vocab;
        _idToToken = new string[vocab.Count == 0 ? 0 : vocab.Values.Max() + 1];
        foreach (var (token, id) in vocab) _idToToken[id] = token;
        if (!vocab.TryGetValue(unkToken, out _unkId))
            throw new InvalidDataException($"the WordPiece unk_token '{unkToken}' is not in the vocabulary");
        _prefix = continuingSubwordPrefix;
        _maxChars = maxInputCharsPerWord;
        UnkToken = unkToken;
    }

    public string UnkToken { get; }

    public string Prefix => _prefix;

    public int VocabSize => _vocab.Count;

    public int? TokenToId(string token) => _vocab.TryGetValue(token, out var id) ? id : null;

    public string? IdToToken(int id) => id >= 0 && id < _idToToken.Length ? _idToToken[id] : null;

    public void Tokenize(string word, List<int> output)
    {
        if (word.Length == 0) return;
        // Character counts are in code points, as Rust's chars().count() and Python's len() see them.
        var boundaries = new List<int>(word.Length + 1);
        for (var i = 0; i < word.Length; i += char.IsSurrogatePair(word, i) ? 2 : 1) boundaries.Add(i);
        boundaries.Add(word.Length);
        if (boundaries.Count - 1 > _maxChars)
        {
            output.Add(_unkId);
            return;
        }
        var start = output.Count;
        for (var s = 0; s < boundaries.Count - 1;)
        {
            var found = -1;
            var foundEnd = -1;
            for (var e = boundaries.Count - 1; e > s; e--)
            {
                var piece = word[boundaries[s]..boundaries[e]];
                if (s > 0) piece = _prefix + piece;
                if (_vocab.TryGetValue(piece, out var id)) { found = id; foundEnd = e; break; }
            }
            if (found < 0)
            {
                output.RemoveRange(start, output.Count - start);
                output.Add(_unkId);
                return;
            }
            output.Add(found);
            s = foundEnd;
        }
    }
}
