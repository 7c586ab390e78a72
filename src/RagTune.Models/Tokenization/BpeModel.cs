using System.Collections.Concurrent;
using System.Text;

namespace RagTune.Models.Tokenization;

/// <summary>
/// Byte-pair encoding as huggingface/tokenizers' <c>models::bpe</c> applies it: the word starts as characters,
/// then the pair with the lowest merge rank (leftmost on ties) is merged until no merge applies. A priority
/// queue keeps long words O(n log n) instead of rescanning all pairs after every merge, and whole-word results
/// are cached because natural text repeats words a lot.
/// </summary>
internal sealed class BpeModel : ITokenModel
{
    const int CacheCapacity = 200_000;
    // Like tokenizers, only short words are cached: a long one is rarely repeated and would pin memory.
    const int MaxCachedWordLength = 256;

    readonly Dictionary<string, int> _vocab;
    readonly string[] _idToToken;
    readonly Dictionary<long, (int Rank, int NewId)> _merges;
    readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    readonly int? _unkId;

    public BpeModel(Dictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges, BpeOptions options)
    {
        _vocab = vocab;
        Options = options;
        var size = vocab.Count == 0 ? 0 : vocab.Values.Max() + 1;
        _idToToken = new string[size];
        foreach (var (token, id) in vocab) _idToToken[id] = token;
        _merges = new Dictionary<long, (int, int)>(merges.Count);
        var prefixLength = options.ContinuingSubwordPrefix?.Length ?? 0;
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            if (!vocab.TryGetValue(left, out var a) || !vocab.TryGetValue(right, out var b))
                throw new InvalidDataException($"merge {rank} ('{left} {right}') uses a token that is not in the vocabulary");
            // With a continuing-subword prefix ("##"), the right part's prefix is dropped in the merged token.
            var merged = left + (prefixLength > 0 && right.StartsWith(options.ContinuingSubwordPrefix!, StringComparison.Ordinal) ? right[prefixLength..] : right);
            if (!vocab.TryGetValue(merged, out var newId))
                throw new InvalidDataException($"merge {rank} ('{left} {right}') produces '{merged}', which is not in the vocabulary");
            _merges.TryAdd(Key(a, b), (rank, newId));
        }
        if (options.UnkToken is not null && vocab.TryGetValue(options.UnkToken, out var unk)) _unkId = unk;
        _splitAtMetaspace = MetaspaceWordSplit.IsSafe(vocab.Keys);
    }

    // SentencePiece-style vocabularies (Llama 2) have no pre-tokenizer, so a whole text is one "word"; when no
    // token has '▁' after another character, merges never cross "x|▁" and the word can be merged piecewise.
    readonly bool _splitAtMetaspace;

    public BpeOptions Options { get; }

    public int VocabSize => _vocab.Count;

    public int? TokenToId(string token) => _vocab.TryGetValue(token, out var id) ? id : null;

    public string? IdToToken(int id) => id >= 0 && id < _idToToken.Length ? _idToToken[id] : null;

    public void Tokenize(string word, List<int> output)
    {
        if (word.Length == 0) return;
        if (Options.IgnoreMerges && _vocab.TryGetValue(word, out var whole))
        {
            output.Add(whole);
            return;
        }
        if (_splitAtMetaspace && word.Length > MaxCachedWordLength)
        {
            foreach (var (start, length) in MetaspaceWordSplit.Segments(word)) TokenizeCached(word.Substring(start, length), output);
            return;
        }
        TokenizeCached(word, output);
    }

    void TokenizeCached(string word, List<int> output)
    {
        if (word.Length > MaxCachedWordLength)
        {
            output.AddRange(Merge(word));
            return;
        }
        if (!_cache.TryGetValue(word, out var ids))
        {
            ids = Merge(word);
            if (_cache.Count >= CacheCapacity) _cache.Clear();
            _cache.TryAdd(word, ids);
        }
        output.AddRange(ids);
    }

    static long Key(int a, int b) => ((long)a << 32) | (uint)b;

    int[] Merge(string word)
    {
        var symbols = InitialSymbols(word);
        var n = symbols.Count;
        if (n <= 1) return [.. symbols];
        var ids = symbols.ToArray();
        var prev = new int[n];
        var next = new int[n];
        var alive = new bool[n];
        for (var i = 0; i < n; i++) { prev[i] = i - 1; next[i] = i + 1 < n ? i + 1 : -1; alive[i] = true; }

        var queue = new PriorityQueue<(int Pos, int Left, int Right), (int Rank, int Pos)>();
        void Push(int pos)
        {
            var right = next[pos];
            if (right < 0) return;
            if (_merges.TryGetValue(Key(ids[pos], ids[right]), out var m)) queue.Enqueue((pos, ids[pos], ids[right]), (m.Rank, pos));
        }
        for (var i = 0; i < n - 1; i++) Push(i);

        while (queue.TryDequeue(out var top, out _))
        {
            // Entries go stale when a neighbour was merged first; skip those.
            var right = next[top.Pos];
            if (!alive[top.Pos] || right < 0 || ids[top.Pos] != top.Left || ids[right] != top.Right) continue;
            ids[top.Pos] = _merges[Key(top.Left, top.Right)].NewId;
            alive[right] = false;
            next[top.Pos] = next[right];
            if (next[right] >= 0) prev[next[right]] = top.Pos;
            if (prev[top.Pos] >= 0) Push(prev[top.Pos]);
            Push(top.Pos);
        }
        var result = new List<int>(n);
        for (var i = 0; i >= 0; i = next[i]) result.Add(ids[i]);
        return [.. result];
    }

    List<int> InitialSymbols(string word)
    {
        var symbols = new List<int>(word.Length);
        var prefix = Options.ContinuingSubwordPrefix;
        var suffix = Options.EndOfWordSuffix;
        var lastWasUnk = false;
        var bytes = new byte[4];
        for (var i = 0; i < word.Length;)
        {
            var len = char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1]) ? 2 : 1;
            var piece = word.Substring(i, len);
            var isFirst = i == 0;
            i += len;
            if (!isFirst && prefix is not null) piece = prefix + piece;
            if (i == word.Length && suffix is not null) piece += suffix;
            if (_vocab.TryGetValue(piece, out var id))
            {
                symbols.Add(id);
                lastWasUnk = false;
                continue;
            }
            if (Options.ByteFallback)
            {
                var count = Encoding.UTF8.GetBytes(word.AsSpan(i - len, len), bytes);
                var byteIds = new List<int>(count);
                for (var b = 0; b < count; b++)
                    if (_vocab.TryGetValue($"<0x{bytes[b]:X2}>", out var byteId)) byteIds.Add(byteId);
                if (byteIds.Count == count)
                {
                    symbols.AddRange(byteIds);
                    lastWasUnk = false;
                    continue;
                }
            }
            if (_unkId is null)
                throw new InvalidOperationException($"'{piece}' is not in the BPE vocabulary and the model has no unk_token");
            if (!(Options.FuseUnk && lastWasUnk)) symbols.Add(_unkId.Value);
            lastWasUnk = true;
        }
        return symbols;
    }
}

/// <summary>The <c>model</c> options of a tokenizer.json BPE model.</summary>
internal sealed record BpeOptions(
    string? UnkToken = null,
    string? ContinuingSubwordPrefix = null,
    string? EndOfWordSuffix = null,
    bool FuseUnk = false,
    bool ByteFallback = false,
    bool IgnoreMerges = false);
