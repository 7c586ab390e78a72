using System.Text;

namespace RagTune.Models.Tokenization;

/// <summary>
/// transformers' slow <c>LlamaTokenizer</c> over a SentencePiece BPE model: special tokens are cut out of the
/// text first, each remaining chunk goes through SentencePiece. With <c>legacy: false</c> a chunk that follows a
/// special token gets no dummy-prefix space (the <c>unk_token</c> prefix trick of <c>_tokenize</c>).
/// </summary>
internal sealed class SentencePieceTokenizer : ITokenizer
{
    readonly SentencePieceModel _sp;
    readonly AddedVocabulary _added;
    readonly HashSet<string> _specialTokens;
    readonly HashSet<int> _specialIds;
    readonly bool _legacy;
    readonly bool _addPrefixSpace;
    readonly bool _addBos;
    readonly bool _addEos;
    readonly bool _spacesBetweenSpecialTokens;
    readonly bool _cleanUp;
    readonly string _unkToken;
    readonly int _unkTokenLength;

    public SentencePieceTokenizer(SentencePieceModel sp, TokenizerConfig config)
    {
        _sp = sp;
        // LlamaTokenizer leaves legacy=None → legacy behaviour (with a warning).
        _legacy = config.Flag("legacy") ?? true;
        _addPrefixSpace = config.Flag("add_prefix_space") ?? true;
        _addBos = config.Flag("add_bos_token") ?? true;
        _addEos = config.Flag("add_eos_token") ?? false;
        _spacesBetweenSpecialTokens = config.Flag("spaces_between_special_tokens") ?? false;
        _cleanUp = config.Flag("clean_up_tokenization_spaces") ?? false;
        // legacy=False loads the model with add_dummy_prefix off (LlamaTokenizer.get_spm_processor).
        if (!_legacy) _sp.AddDummyPrefix = false;

        string? Name(string key, string? fallback) => config.SpecialTokens.TryGetValue(key, out var t) ? t?.Content : fallback;
        _unkToken = Name("unk_token", sp.Pieces[sp.UnkId])!;
        var tokens = new Dictionary<int, AddedTokenSpec>();
        foreach (var key in new[] { "unk_token", "bos_token", "eos_token", "pad_token" })
        {
            var defaultName = key switch { "unk_token" => sp.Pieces[sp.UnkId], "bos_token" => Piece(sp.BosId), "eos_token" => Piece(sp.EosId), _ => null };
            if (!config.SpecialTokens.TryGetValue(key, out var spec)) spec = defaultName is null ? null : new AddedTokenSpec(-1, defaultName, true);
            if (spec is null || !sp.HasPiece(spec.Content)) continue;
            var id = sp.PieceToId(spec.Content);
            tokens[id] = spec with { Id = id, Special = true, Normalized = false };
        }
        foreach (var t in config.AddedTokensDecoder) tokens[t.Id] = t;
        foreach (var extra in config.AdditionalSpecialTokens)
            if (tokens.Values.FirstOrDefault(t => t.Content == extra) is { } existing) tokens[existing.Id] = existing with { Special = true };
        _added = new AddedVocabulary(tokens.Values, null);
        _specialTokens = tokens.Values.Where(t => t.Special).Select(t => t.Content).ToHashSet(StringComparer.Ordinal);
        _specialIds = tokens.Values.Where(t => t.Special).Select(t => t.Id).ToHashSet();
        VocabSize = sp.Pieces.Length + tokens.Keys.Count(id => id >= sp.Pieces.Length);
        BosTokenId = Lookup(Name("bos_token", Piece(sp.BosId)));
        EosTokenId = Lookup(Name("eos_token", Piece(sp.EosId)));
        PadTokenId = Lookup(Name("pad_token", null));
        var unkIds = new List<int>();
        _sp.Encode(_unkToken, unkIds);
        _unkTokenLength = unkIds.Count;
    }

    string? Piece(int id) => id >= 0 && id < _sp.Pieces.Length ? _sp.Pieces[id] : null;

    int? Lookup(string? token) => token is null ? null : TokenToId(token);

    public int VocabSize { get; }

    public int? BosTokenId { get; }

    public int? EosTokenId { get; }

    public int? PadTokenId { get; }

    public IReadOnlyList<int> Encode(string text, bool addSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        if (addSpecialTokens && _addBos && BosTokenId is { } bos) ids.Add(bos);
        var start = ids.Count;
        if (text.Length > 0)
        {
            if (!_legacy)
            {
                text = text.Replace(SentencePieceModel.Space, ' ');
                if (_addPrefixSpace) text = SentencePieceModel.Space + text;
            }
            foreach (var (token, chunk, _) in _added.SplitRaw(text, true))
            {
                if (token is not null) ids.Add(token.Id);
                else if (chunk.Length > 0) TokenizeChunk(chunk, ids);
            }
            // Non-legacy: a lone "▁" before a leading special token is dropped (LlamaTokenizer.tokenize).
            var spaceId = _sp.PieceToId(SentencePieceModel.Space.ToString());
            if (!_legacy && ids.Count - start > 1 && ids[start] == spaceId && _specialIds.Contains(ids[start + 1])) ids.RemoveAt(start);
        }
        if (addSpecialTokens && _addEos && EosTokenId is { } eos) ids.Add(eos);
        return ids;
    }

    void TokenizeChunk(string chunk, List<int> ids)
    {
        if (_legacy || !(chunk[0] == SentencePieceModel.Space || chunk[0] == ' '))
        {
            _sp.Encode(chunk, ids);
            return;
        }
        // Encode "<unk>" + chunk and drop the unk pieces, so the chunk's leading space is kept as-is.
        var tmp = new List<int>();
        _sp.Encode(_unkToken + chunk, tmp);
        ids.AddRange(tmp.Count >= _unkTokenLength ? tmp.Skip(_unkTokenLength) : tmp);
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var parts = new List<string>();
        var current = new List<string>();
        foreach (var id in ids)
        {
            if (skipSpecialTokens && _specialIds.Contains(id)) continue;
            var token = IdToToken(id);
            if (token is null) continue;
            // Non-special added tokens are joined as text pieces of their own (PreTrainedTokenizer._decode).
            if (_added.TryGet(id, out var added) && !added.Special)
            {
                if (current.Count > 0) { var s = TokensToString(current); if (s.Length > 0) parts.Add(s); current = []; }
                parts.Add(token);
            }
            else current.Add(token);
        }
        if (current.Count > 0) parts.Add(TokensToString(current));
        var text = string.Join(_spacesBetweenSpecialTokens ? " " : "", parts);
        return _cleanUp ? CleanUp.Tokenization(text) : text;
    }

    /// <summary>LlamaTokenizer.convert_tokens_to_string: SentencePiece decoding with special tokens spliced in.</summary>
    string TokensToString(List<string> tokens)
    {
        if (_addPrefixSpace && tokens[0].StartsWith(SentencePieceModel.Space)) tokens[0] = tokens[0][1..];
        var sb = new StringBuilder();
        var sub = new List<string>();
        var prevIsSpecial = false;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (_specialTokens.Contains(token))
            {
                if (!prevIsSpecial && i != 0 && _legacy) sb.Append(' ');
                sb.Append(_sp.DecodePieces(sub)).Append(token);
                prevIsSpecial = true;
                sub.Clear();
            }
            else
            {
                if (prevIsSpecial && i == 1 && _addPrefixSpace && !token.StartsWith(SentencePieceModel.Space)) sb.Append(' ');
                sub.Add(token);
                prevIsSpecial = false;
            }
        }
        return sb.Append(_sp.DecodePieces(sub)).ToString();
    }

    public int? TokenToId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (_added.TryGet(token, out var added)) return added.Id;
        return _sp.HasPiece(token) ? _sp.PieceToId(token) : null;
    }

    public string? IdToToken(int id) => _added.TryGet(id, out var added) ? added.Content : Piece(id);
}
