using System.Text;
using System.Text.Json.Nodes;

namespace RagTune.Models.Tokenization;

/// <summary>
/// Builds a <see cref="PipelineTokenizer"/> from a Hugging Face <c>tokenizer.json</c> (the tokenizers serialization:
/// <c>added_tokens</c>, <c>normalizer</c>, <c>pre_tokenizer</c>, <c>model</c>, <c>post_processor</c>, <c>decoder</c>).
/// Components it does not implement fail with the file and the component type named.
/// </summary>
internal sealed class TokenizerJsonReader
{
    readonly string _path;

    TokenizerJsonReader(string path) => _path = path;

    public static PipelineTokenizer Read(string path, TokenizerConfig config)
    {
        var reader = new TokenizerJsonReader(path);
        return reader.Build(TokenizerConfig.ReadObject(path), config);
    }

    PipelineTokenizer Build(JsonObject json, TokenizerConfig config)
    {
        var normalizer = json["normalizer"] is JsonObject n ? Normalizer(n) : null;
        var preTokenizer = json["pre_tokenizer"] is JsonObject p ? PreTokenizer(p) : null;
        var model = json["model"] as JsonObject ?? throw Error("no 'model' section");
        var tokenModel = Model(model);
        var addedTokens = new List<AddedTokenSpec>();
        if (json["added_tokens"] is JsonArray added)
            foreach (var item in added.OfType<JsonObject>())
                addedTokens.Add(TokenizerConfig.ParseAddedToken(item, Int(item, "id"), _path));
        var postProcessor = json["post_processor"] is JsonObject pp ? PostProcessor(pp) : null;
        var decoder = json["decoder"] is JsonObject d ? Decoder(d) : null;
        var vocabulary = new AddedVocabulary(addedTokens, normalizer);

        // LlamaTokenizerFast rebuilds its template from add_bos_token / add_eos_token (update_post_processor).
        var tokenizerClass = config.String("tokenizer_class") ?? "";
        if (tokenizerClass.StartsWith("Llama", StringComparison.Ordinal) && (config.Flag("add_bos_token") is not null || config.Flag("add_eos_token") is not null))
            postProcessor = BosEosTemplate(config, vocabulary, tokenModel, config.Flag("add_bos_token") ?? true, config.Flag("add_eos_token") ?? false);

        var options = new PipelineOptions(
            config.Token("bos_token"), config.Token("eos_token"), config.Token("pad_token"),
            config.Flag("clean_up_tokenization_spaces") ?? tokenizerClass.StartsWith("Bert", StringComparison.Ordinal));
        return new PipelineTokenizer(tokenModel, vocabulary, normalizer, preTokenizer, postProcessor, decoder, options);
    }

    /// <summary>[bos] $A [eos] with either end optional; tokens missing from the vocabulary are left out.</summary>
    internal static TemplatePostProcessor BosEosTemplate(TokenizerConfig config, AddedVocabulary added, ITokenModel model, bool addBos, bool addEos)
    {
        int? Id(string? token) => token is null ? null : added.TryGet(token, out var a) ? a.Id : model.TokenToId(token);
        var pieces = new List<int[]?>();
        if (addBos && Id(config.Token("bos_token")) is { } bos) pieces.Add([bos]);
        pieces.Add(null);
        if (addEos && Id(config.Token("eos_token")) is { } eos) pieces.Add([eos]);
        return new TemplatePostProcessor(pieces);
    }

    TokenizerLoadException Error(string message) => new(_path, message);

    TokenizerLoadException Unsupported(string section, string type) =>
        Error($"unsupported {section} type '{type}' (supported: see RagTune.Models.Tokenization.TokenizerJsonReader)");

    string Type(JsonObject o, string section) => o["type"]?.GetValue<string>() ?? throw Error($"{section} without a 'type'");

    int Int(JsonObject o, string name) => o[name]?.GetValue<int>() ?? throw Error($"missing '{name}' in {o.ToJsonString()[..Math.Min(80, o.ToJsonString().Length)]}");

    static bool Bool(JsonObject o, string name, bool fallback) => o[name] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : fallback;

    static string? Str(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    (string? Literal, CodePointRegex? Regex) Pattern(JsonObject o, string section)
    {
        if (o["pattern"] is not JsonObject pattern) throw Error($"{section} without a 'pattern'");
        if (Str(pattern, "String") is { } literal) return (literal, null);
        if (Str(pattern, "Regex") is { } regex)
        {
            try { return (null, new CodePointRegex(regex)); }
            catch (ArgumentException e) { throw new TokenizerLoadException(_path, $"{section} regex '{regex}' is not supported by .NET: {e.Message}", e); }
        }
        throw Error($"{section} pattern must be {{\"String\": …}} or {{\"Regex\": …}}");
    }

    SplitBehavior Behavior(JsonObject o, SplitBehavior fallback) => Str(o, "behavior") is { } b
        ? Enum.TryParse<SplitBehavior>(b, out var value) ? value : throw Error($"unknown split behavior '{b}'")
        : fallback;

    INormalizer Normalizer(JsonObject o)
    {
        var type = Type(o, "normalizer");
        return type switch
        {
            "Sequence" => new SequenceNormalizer(((o["normalizers"] as JsonArray) ?? []).OfType<JsonObject>().Select(Normalizer).ToList()),
            "NFC" => new UnicodeNormalizer(NormalizationForm.FormC),
            "NFD" => new UnicodeNormalizer(NormalizationForm.FormD),
            "NFKC" => new UnicodeNormalizer(NormalizationForm.FormKC),
            "NFKD" => new UnicodeNormalizer(NormalizationForm.FormKD),
            "Lowercase" => new LowercaseNormalizer(),
            "StripAccents" => new StripAccentsNormalizer(),
            "Strip" => new StripNormalizer(Bool(o, "strip_left", true), Bool(o, "strip_right", true)),
            "Prepend" => new PrependNormalizer(Str(o, "prepend") ?? throw Error("Prepend normalizer without 'prepend'")),
            "Replace" => Replace(o),
            "BertNormalizer" => new BertNormalizer(Bool(o, "clean_text", true), Bool(o, "handle_chinese_chars", true),
                o["strip_accents"] is JsonValue sa && sa.TryGetValue<bool>(out var s) ? s : null, Bool(o, "lowercase", true)),
            "Precompiled" when string.IsNullOrEmpty(Str(o, "precompiled_charsmap")) => new SequenceNormalizer([]),
            _ => throw Unsupported("normalizer", type),
        };
    }

    ReplaceNormalizer Replace(JsonObject o)
    {
        var (literal, regex) = Pattern(o, "Replace");
        return new ReplaceNormalizer(literal, regex, Str(o, "content") ?? "");
    }

    IPreTokenizer PreTokenizer(JsonObject o)
    {
        var type = Type(o, "pre_tokenizer");
        switch (type)
        {
            case "Sequence":
                return new SequencePreTokenizer(((o["pretokenizers"] as JsonArray) ?? []).OfType<JsonObject>().Select(PreTokenizer).ToList());
            case "ByteLevel":
                return new ByteLevelPreTokenizer(Bool(o, "add_prefix_space", true), Bool(o, "use_regex", true));
            case "Split":
                var (literal, regex) = Pattern(o, "Split pre_tokenizer");
                return new SplitPreTokenizer(literal, regex, Behavior(o, SplitBehavior.Isolated), Bool(o, "invert", false));
            case "BertPreTokenizer":
                return new BertPreTokenizer();
            case "Whitespace":
                return new WhitespacePreTokenizer();
            case "WhitespaceSplit":
                return new WhitespaceSplitPreTokenizer();
            case "Punctuation":
                return new PunctuationPreTokenizer(Behavior(o, SplitBehavior.Isolated));
            case "Digits":
                return new DigitsPreTokenizer(Bool(o, "individual_digits", false));
            case "Metaspace":
                return new MetaspacePreTokenizer(Replacement(o), PrependScheme(o), Bool(o, "split", true));
            case "CharDelimiterSplit":
                var delimiter = Str(o, "delimiter") ?? throw Error("CharDelimiterSplit without 'delimiter'");
                return new SplitPreTokenizer(delimiter, null, SplitBehavior.Removed, false);
            default:
                throw Unsupported("pre_tokenizer", type);
        }
    }

    char Replacement(JsonObject o)
    {
        var r = Str(o, "replacement") ?? "▁";
        return r.Length == 1 ? r[0] : throw Error($"Metaspace replacement '{r}' must be one character");
    }

    // Older files have add_prefix_space instead of prepend_scheme.
    static string PrependScheme(JsonObject o) => Str(o, "prepend_scheme") ?? (Bool(o, "add_prefix_space", true) ? "always" : "never");

    ITokenModel Model(JsonObject o)
    {
        var type = Str(o, "type") ?? (o.ContainsKey("merges") ? "BPE" : o.ContainsKey("continuing_subword_prefix") ? "WordPiece" : "(none)");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        if (o["vocab"] is JsonObject v)
            foreach (var (token, id) in v) vocab[token] = id!.GetValue<int>();
        else if (type is "BPE" or "WordPiece" or "WordLevel") throw Error($"{type} model without a 'vocab' object");
        try
        {
            switch (type)
            {
                case "BPE":
                    var merges = new List<(string, string)>();
                    foreach (var m in (o["merges"] as JsonArray) ?? [])
                    {
                        if (m is JsonArray pair && pair.Count == 2) merges.Add((pair[0]!.GetValue<string>(), pair[1]!.GetValue<string>()));
                        else if (m is JsonValue s && s.GetValue<string>() is var line && line.IndexOf(' ', 1) is var space and > 0)
                            merges.Add((line[..space], line[(space + 1)..]));
                        else throw Error($"malformed merge entry {m?.ToJsonString()}");
                    }
                    if (o["dropout"] is JsonValue dv && dv.TryGetValue<double>(out var dropout) && dropout > 0)
                        throw Error($"BPE dropout {dropout} is not supported (it makes encoding random)");
                    return new BpeModel(vocab, merges, new BpeOptions(Str(o, "unk_token"), Str(o, "continuing_subword_prefix"),
                        Str(o, "end_of_word_suffix"), Bool(o, "fuse_unk", false), Bool(o, "byte_fallback", false), Bool(o, "ignore_merges", false)));
                case "WordPiece":
                    return new WordPieceModel(vocab, Str(o, "unk_token") ?? "[UNK]", Str(o, "continuing_subword_prefix") ?? "##",
                        o["max_input_chars_per_word"]?.GetValue<int>() ?? 100);
                case "WordLevel":
                    return new WordLevelModel(vocab, Str(o, "unk_token"));
                default:
                    throw Unsupported("model", type);
            }
        }
        catch (InvalidDataException e)
        {
            throw new TokenizerLoadException(_path, e.Message, e);
        }
    }

    IPostProcessor PostProcessor(JsonObject o)
    {
        var type = Type(o, "post_processor");
        switch (type)
        {
            case "Sequence":
                return new SequencePostProcessor(((o["processors"] as JsonArray) ?? []).OfType<JsonObject>().Select(PostProcessor).ToList());
            case "ByteLevel":
                return new IdentityPostProcessor();
            case "BertProcessing":
            case "RobertaProcessing":
                return new TemplatePostProcessor([[PairId(o, "cls")], null, [PairId(o, "sep")]]);
            case "TemplateProcessing":
                var specials = o["special_tokens"] as JsonObject ?? [];
                var pieces = new List<int[]?>();
                foreach (var item in (o["single"] as JsonArray) ?? [])
                {
                    if (item?["Sequence"] is not null) { pieces.Add(null); continue; }
                    var name = item?["SpecialToken"]?["id"]?.GetValue<string>() ?? throw Error($"malformed TemplateProcessing item {item?.ToJsonString()}");
                    var ids = specials[name]?["ids"] as JsonArray ?? throw Error($"TemplateProcessing special token '{name}' is not in special_tokens");
                    pieces.Add(ids.Select(i => i!.GetValue<int>()).ToArray());
                }
                return new TemplatePostProcessor(pieces);
            default:
                throw Unsupported("post_processor", type);
        }
    }

    int PairId(JsonObject o, string name) =>
        o[name] is JsonArray pair && pair.Count == 2 ? pair[1]!.GetValue<int>() : throw Error($"'{name}' must be [token, id]");

    ITokenDecoder Decoder(JsonObject o)
    {
        var type = Type(o, "decoder");
        switch (type)
        {
            case "Sequence":
                return new SequenceDecoder(((o["decoders"] as JsonArray) ?? []).OfType<JsonObject>().Select(Decoder).ToList());
            case "ByteLevel":
                return new ByteLevelDecoder();
            case "WordPiece":
                return new WordPieceDecoder(Str(o, "prefix") ?? "##", Bool(o, "cleanup", true));
            case "Metaspace":
                return new MetaspaceDecoder(Replacement(o), PrependScheme(o) != "never");
            case "Replace":
                var (literal, regex) = Pattern(o, "Replace decoder");
                return new ReplaceDecoder(literal, regex, Str(o, "content") ?? "");
            case "ByteFallback":
                return new ByteFallbackDecoder();
            case "Fuse":
                return new FuseDecoder();
            case "Strip":
                var content = Str(o, "content") ?? " ";
                return new StripDecoder(content.Length == 1 ? content[0] : throw Error("Strip decoder content must be one character"),
                    o["start"]?.GetValue<int>() ?? 0, o["stop"]?.GetValue<int>() ?? 0);
            case "BPEDecoder":
                return new BpeSuffixDecoder(Str(o, "suffix") ?? "</w>");
            default:
                throw Unsupported("decoder", type);
        }
    }
}
