namespace RagTune.Models.Tokenization;

/// <summary>
/// The Hugging Face tokenizers pipeline: added tokens → normalizer → pre-tokenizer → model → post-processor,
/// and decoder for the way back. Built from tokenizer.json, or from legacy files with equivalent components.
/// </summary>
internal sealed class PipelineTokenizer : ITokenizer
{
    readonly INormalizer? _normalizer;
    readonly IPreTokenizer? _preTokenizer;
    readonly ITokenModel _model;
    readonly IPostProcessor? _postProcessor;
    readonly ITokenDecoder? _decoder;
    readonly AddedVocabulary _added;
    readonly PipelineOptions _options;

    public PipelineTokenizer(ITokenModel model, AddedVocabulary added, INormalizer? normalizer, IPreTokenizer? preTokenizer,
        IPostProcessor? postProcessor, ITokenDecoder? decoder, PipelineOptions options)
    {
        _model = model;
        _added = added;
        _normalizer = normalizer;
        _preTokenizer = preTokenizer;
        _postProcessor = postProcessor;
        _decoder = decoder;
        _options = options;
        VocabSize = model.VocabSize + added.Tokens.Count(t => model.IdToToken(t.Id) is null);
        BosTokenId = Lookup(options.BosToken);
        EosTokenId = Lookup(options.EosToken);
        PadTokenId = Lookup(options.PadToken);
    }

    int? Lookup(string? token) => token is null ? null : TokenToId(token);

    public int VocabSize { get; }

    public int? BosTokenId { get; }

    public int? EosTokenId { get; }

    public int? PadTokenId { get; }

    public IReadOnlyList<int> Encode(string text, bool addSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_options.TextPrefix is not null) text = _options.TextPrefix + text;
        var ids = new List<int>();
        var pieces = new List<PreToken>();
        foreach (var (token, chunk, atStart) in _added.SplitRaw(text, true))
        {
            if (token is not null) { ids.Add(token.Id); continue; }
            var normalized = _normalizer?.Normalize(chunk) ?? chunk;
            foreach (var (inner, sub, subAtStart) in _added.SplitNormalized(normalized, atStart))
            {
                if (inner is not null) { ids.Add(inner.Id); continue; }
                if (sub.Length == 0) continue;
                pieces.Clear();
                if (_preTokenizer is null) pieces.Add(new PreToken(sub, subAtStart));
                else _preTokenizer.PreTokenize(sub, subAtStart, pieces);
                foreach (var p in pieces) _model.Tokenize(p.Text, ids);
            }
        }
        return addSpecialTokens && _postProcessor is not null ? _postProcessor.Process(ids) : ids;
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var tokens = new List<string>();
        foreach (var id in ids)
        {
            if (_added.TryGet(id, out var added))
            {
                if (!(skipSpecialTokens && added.Special)) tokens.Add(added.Content);
                continue;
            }
            if (_model.IdToToken(id) is { } token) tokens.Add(token);
        }
        var text = _decoder is null ? string.Join(" ", tokens) : string.Concat(_decoder.DecodeChain(tokens));
        if (_options.StripDecoded) text = text.Trim();
        return _options.CleanUpTokenizationSpaces ? CleanUp.Tokenization(text) : text;
    }

    public int? TokenToId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _added.TryGet(token, out var added) ? added.Id : _model.TokenToId(token);
    }

    public string? IdToToken(int id) => _added.TryGet(id, out var added) ? added.Content : _model.IdToToken(id);
}

/// <summary>Settings of a <see cref="PipelineTokenizer"/> that come from tokenizer_config.json rather than tokenizer.json.</summary>
internal sealed record PipelineOptions(
    string? BosToken = null,
    string? EosToken = null,
    string? PadToken = null,
    bool CleanUpTokenizationSpaces = false,
    string? TextPrefix = null,
    bool StripDecoded = false);
