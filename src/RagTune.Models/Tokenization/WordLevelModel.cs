namespace RagTune.Models.Tokenization;

/// <summary>tokenizers <c>WordLevel</c>: each pre-token is looked up whole; unknown words become <c>unk_token</c>.</summary>
internal sealed class WordLevelModel : ITokenModel
{
    readonly Dictionary<string, int> _vocab;
    readonly string[] _idToToken;
    readonly int? _unkId;

    public WordLevelModel(Dictionary<string, int> vocab, string? unkToken)
    {
        _vocab = vocab;
        _idToToken = new string[vocab.Count == 0 ? 0 : vocab.Values.Max() + 1];
        foreach (var (token, id) in vocab) _idToToken[id] = token;
        if (unkToken is not null && vocab.TryGetValue(unkToken, out var unk)) _unkId = unk;
    }

    public int VocabSize => _vocab.Count;

    public int? TokenToId(string token) => _vocab.TryGetValue(token, out var id) ? id : null;

    public string? IdToToken(int id) => id >= 0 && id < _idToToken.Length ? _idToToken[id] : null;

    public void Tokenize(string word, List<int> output)
    {
        if (_vocab.TryGetValue(word, out var id)) output.Add(id);
        else output.Add(_unkId ?? throw new InvalidOperationException($"'{word}' is not in the WordLevel vocabulary and the model has no unk_token"));
    }
}
