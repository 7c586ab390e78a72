using System.Text.Json.Nodes;
using RagTune.Models.Tokenization;

namespace RagTune.Models.Gguf;

/// <summary>
/// Rebuilds the tokenizer stored in a GGUF file's <c>tokenizer.ggml.*</c> metadata: model <c>gpt2</c> as byte-level BPE
/// (vocabulary, merges, the named pre-tokenizer, control and user-defined tokens matched in the text) and model
/// <c>llama</c> as SentencePiece BPE (pieces, scores, token types), with BOS/EOS added as <c>add_bos_token</c> /
/// <c>add_eos_token</c> say — the behaviour llama.cpp gives the same file.
/// </summary>
internal static class GgufTokenizerReader
{
    public static ITokenizer Read(GgufFile file)
    {
        var path = file.FilePath;
        var kind = file.Get<string>("tokenizer.ggml.model")
            ?? throw new TokenizerLoadException(path, "no tokenizer.ggml.model: the file carries no tokenizer");
        var tokens = file.Get<string[]>("tokenizer.ggml.tokens")
            ?? throw new TokenizerLoadException(path, "tokenizer.ggml.tokens is missing");
        var types = file.Get<int[]>("tokenizer.ggml.token_type") ?? Enumerable.Repeat(GgufTokenizerExport.Normal, tokens.Length).ToArray();
        if (types.Length != tokens.Length)
            throw new TokenizerLoadException(path, $"tokenizer.ggml.token_type has {types.Length} entries for {tokens.Length} tokens");
        string? Token(string key) => file.GetInteger(key) is { } id && id >= 0 && id < tokens.Length ? tokens[id] : null;
        var bos = Token("tokenizer.ggml.bos_token_id");
        var eos = Token("tokenizer.ggml.eos_token_id");
        var pad = Token("tokenizer.ggml.padding_token_id");
        var addBos = file.Get<bool?>("tokenizer.ggml.add_bos_token") ?? kind == "llama";
        var addEos = file.Get<bool?>("tokenizer.ggml.add_eos_token") ?? false;
        return kind switch
        {
            "gpt2" => ByteLevelBpe(file, tokens, types, bos, eos, pad, addBos, addEos),
            "llama" => SentencePiece(file, tokens, types, bos, eos, pad, addBos, addEos),
            _ => throw new TokenizerLoadException(path, $"tokenizer model '{kind}' is not supported (supported: gpt2 = byte-level BPE, llama = SentencePiece BPE)"),
        };
    }

    static ITokenizer ByteLevelBpe(GgufFile file, string[] tokens, int[] types, string? bos, string? eos, string? pad, bool addBos, bool addEos)
    {
        var path = file.FilePath;
        var pre = file.Get<string>("tokenizer.ggml.pre") ?? "default";
        var preTokenizer = GgufPreTokenizers.Create(pre)
            ?? throw new TokenizerLoadException(path, $"pre-tokenizer '{pre}' is not implemented here (supported: {string.Join(", ", GgufPreTokenizers.Names)})");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < tokens.Length; i++) vocab.TryAdd(tokens[i], i);
        var merges = new List<(string, string)>();
        foreach (var merge in file.Get<string[]>("tokenizer.ggml.merges") ?? [])
        {
            var space = merge.IndexOf(' ', 1);
            if (space < 0) throw new TokenizerLoadException(path, $"merge '{merge}' is not two tokens separated by a space");
            merges.Add((merge[..space], merge[(space + 1)..]));
        }
        BpeModel model;
        try { model = new BpeModel(vocab, merges, new BpeOptions()); }
        catch (InvalidDataException e) { throw new TokenizerLoadException(path, e.Message, e); }
        var added = new AddedVocabulary(SpecialTokens(tokens, types), null);
        var pieces = new List<int[]?>();
        if (addBos && bos is not null) pieces.Add([vocab[bos]]);
        pieces.Add(null);
        if (addEos && eos is not null) pieces.Add([vocab[eos]]);
        return new PipelineTokenizer(model, added, null, preTokenizer, new TemplatePostProcessor(pieces), new ByteLevelDecoder(),
            new PipelineOptions(bos, eos, pad));
    }

    static ITokenizer SentencePiece(GgufFile file, string[] tokens, int[] types, string? bos, string? eos, string? pad, bool addBos, bool addEos)
    {
        var scores = file.Get<float[]>("tokenizer.ggml.scores") ?? new float[tokens.Length];
        if (scores.Length != tokens.Length)
            throw new TokenizerLoadException(file.FilePath, $"tokenizer.ggml.scores has {scores.Length} entries for {tokens.Length} tokens");
        int Id(string key, int fallback) => (int)(file.GetInteger(key) ?? fallback);
        var sp = new SentencePieceModel
        {
            Pieces = tokens, Scores = scores, Types = types,
            UnkId = Id("tokenizer.ggml.unknown_token_id", 0), BosId = Id("tokenizer.ggml.bos_token_id", 1), EosId = Id("tokenizer.ggml.eos_token_id", 2),
            PadId = Id("tokenizer.ggml.padding_token_id", -1),
            ByteFallback = types.Contains(GgufTokenizerExport.Byte),
            AddDummyPrefix = file.Get<bool?>("tokenizer.ggml.add_space_prefix") ?? true,
            // llama.cpp never collapses whitespace for SentencePiece vocabularies.
            RemoveExtraWhitespaces = file.Get<bool?>("tokenizer.ggml.remove_extra_whitespaces") ?? false,
        };
        sp.Index();
        var config = new JsonObject { ["add_bos_token"] = addBos, ["add_eos_token"] = addEos, ["legacy"] = true };
        if (bos is not null) config["bos_token"] = bos;
        if (eos is not null) config["eos_token"] = eos;
        if (pad is not null) config["pad_token"] = pad;
        config["unk_token"] = tokens[sp.UnkId];
        // Control and user-defined tokens are matched in the text, as llama.cpp does when parsing special tokens.
        var decoder = new JsonObject();
        foreach (var t in SpecialTokens(tokens, types))
            decoder[t.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject { ["content"] = t.Content, ["special"] = t.Special, ["normalized"] = false };
        config["added_tokens_decoder"] = decoder;
        return new SentencePieceTokenizer(sp, TokenizerConfig.FromObject(config, file.FilePath));
    }

    static IEnumerable<AddedTokenSpec> SpecialTokens(string[] tokens, int[] types)
    {
        for (var i = 0; i < tokens.Length; i++)
            if (types[i] is GgufTokenizerExport.Control or GgufTokenizerExport.UserDefined)
                yield return new AddedTokenSpec(i, tokens[i], types[i] == GgufTokenizerExport.Control, Normalized: false);
    }
}
