using RagTune.Models.Tokenization;

namespace RagTune.Training.Tests.Support;

/// <summary>Whitespace word-level tokenizer over a fixed vocabulary: 0 pad, 1 bos, 2 eos, 3 unk.</summary>
public sealed class WordTokenizer : ITokenizer
{
    readonly List<string> _words = ["<pad>", "<s>", "</s>", "<unk>"];
    readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    public WordTokenizer(IEnumerable<string> texts)
    {
        for (var i = 0; i < _words.Count; i++) _ids[_words[i]] = i;
        foreach (var w in texts.SelectMany(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            if (_ids.TryAdd(w, _words.Count)) _words.Add(w);
    }

    public bool AddBos { get; init; } = true;
    public int VocabSize => _words.Count;
    public int? BosTokenId => 1;
    public int? EosTokenId => 2;
    public int? PadTokenId => 0;

    public IReadOnlyList<int> Encode(string text, bool addSpecialTokens = true)
    {
        var ids = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => _ids.GetValueOrDefault(w, 3)).ToList();
        if (addSpecialTokens && AddBos) ids.Insert(0, 1);
        return ids;
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false) =>
        string.Join(' ', ids.Where(i => !skipSpecialTokens || i > 3).Select(i => _words[i]));

    public int? TokenToId(string token) => _ids.TryGetValue(token, out var i) ? i : null;
    public string? IdToToken(int id) => id >= 0 && id < _words.Count ? _words[id] : null;
}
