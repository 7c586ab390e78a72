using System.Text.Json.Nodes;

namespace RagTune.Models.Tokenization;

/// <summary>
/// Tokenizers from the files slow transformers tokenizers read: GPT-2's <c>vocab.json</c> + <c>merges.txt</c>
/// (<c>GPT2Tokenizer</c>) and BERT's <c>vocab.txt</c> (<c>BertTokenizer</c>), expressed as the equivalent pipeline.
/// </summary>
internal static class LegacyTokenizerReader
{
    public static PipelineTokenizer ReadGpt2(string dir, TokenizerConfig config)
    {
        var vocabPath = Path.Combine(dir, "vocab.json");
        var mergesPath = Path.Combine(dir, "merges.txt");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, id) in TokenizerConfig.ReadObject(vocabPath))
        {
            if (id is not JsonValue v || !v.TryGetValue<int>(out var value))
                throw new TokenizerLoadException(vocabPath, $"the id of '{token}' is not an integer");
            vocab[token] = value;
        }
        var merges = new List<(string, string)>();
        var lineNumber = 0;
        foreach (var line in ReadLines(mergesPath))
        {
            lineNumber++;
            if ((lineNumber == 1 && line.StartsWith("#version", StringComparison.Ordinal)) || line.Length == 0) continue;
            var parts = line.Split(' ');
            if (parts.Length != 2) throw new TokenizerLoadException(mergesPath, $"line {lineNumber} is not two space-separated tokens: '{line}'");
            merges.Add((parts[0], parts[1]));
        }
        BpeModel model;
        try { model = new BpeModel(vocab, merges, new BpeOptions()); }
        catch (InvalidDataException e) { throw new TokenizerLoadException(mergesPath, e.Message, e); }

        var added = new AddedVocabulary(SpecialTokens(dir, config, model, []), null);
        // GPT2Tokenizer.prepare_for_tokenization puts one space before the whole text when add_prefix_space is set.
        var prefix = config.Flag("add_prefix_space") == true ? " " : null;
        IPostProcessor? post = config.Flag("add_bos_token") == true
            ? TokenizerJsonReader.BosEosTemplate(config, added, model, true, false)
            : null;
        var options = new PipelineOptions(config.Token("bos_token"), config.Token("eos_token"), config.Token("pad_token"),
            config.Flag("clean_up_tokenization_spaces") ?? false, prefix);
        return new PipelineTokenizer(model, added, null, new ByteLevelPreTokenizer(false, true), post, new ByteLevelDecoder(), options);
    }

    public static PipelineTokenizer ReadWordPiece(string dir, TokenizerConfig config)
    {
        var vocabPath = Path.Combine(dir, "vocab.txt");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = 0;
        foreach (var line in ReadLines(vocabPath))
        {
            // BertTokenizer.load_vocab: one token per line, only the newline is stripped; the first id wins.
            vocab.TryAdd(line, index++);
        }
        // BertTokenizer's defaults when the config does not name the special tokens.
        var defaults = new Dictionary<string, string>
        {
            ["unk_token"] = "[UNK]", ["sep_token"] = "[SEP]", ["pad_token"] = "[PAD]", ["cls_token"] = "[CLS]", ["mask_token"] = "[MASK]",
        };
        foreach (var (key, value) in defaults)
            if (!config.SpecialTokens.ContainsKey(key)) config.SpecialTokens[key] = new AddedTokenSpec(-1, value, true);
        var unk = config.Token("unk_token")!;
        WordPieceModel model;
        try { model = new WordPieceModel(vocab, unk); }
        catch (InvalidDataException e) { throw new TokenizerLoadException(vocabPath, e.Message, e); }

        var lower = config.Flag("do_lower_case") ?? true;
        var stripAccents = config.Flag("strip_accents");
        var normalizer = new BertNormalizer(true, config.Flag("tokenize_chinese_chars") ?? true, stripAccents, lower);
        var added = new AddedVocabulary(SpecialTokens(dir, config, model, []), normalizer);
        var cls = added.TryGet(config.Token("cls_token")!, out var c) ? c.Id : throw new TokenizerLoadException(vocabPath, "cls_token is not in the vocabulary");
        var sep = added.TryGet(config.Token("sep_token")!, out var s) ? s.Id : throw new TokenizerLoadException(vocabPath, "sep_token is not in the vocabulary");
        var options = new PipelineOptions(config.Token("bos_token"), config.Token("eos_token"), config.Token("pad_token"),
            config.Flag("clean_up_tokenization_spaces") ?? true, StripDecoded: true);
        return new PipelineTokenizer(model, added, normalizer, new BertPreTokenizer(), new TemplatePostProcessor([[cls], null, [sep]]),
            new WordPieceDecoder(model.Prefix, false), options);
    }

    /// <summary>
    /// Slow tokenizers' added tokens: the named special tokens and additional_special_tokens found in the vocabulary,
    /// <c>added_tokens_decoder</c> entries and an old <c>added_tokens.json</c>.
    /// </summary>
    static List<AddedTokenSpec> SpecialTokens(string dir, TokenizerConfig config, ITokenModel model, List<AddedTokenSpec> tokens)
    {
        var byId = new Dictionary<int, AddedTokenSpec>();
        var addedJson = Path.Combine(dir, "added_tokens.json");
        if (File.Exists(addedJson))
            foreach (var (content, id) in TokenizerConfig.ReadObject(addedJson))
                byId[id!.GetValue<int>()] = new AddedTokenSpec(id.GetValue<int>(), content, false, Normalized: true);
        foreach (var t in config.AddedTokensDecoder) byId[t.Id] = t;
        var specials = config.SpecialTokens.Values.Where(t => t is not null).Select(t => t!).ToList();
        specials.AddRange(config.AdditionalSpecialTokens.Select(s => new AddedTokenSpec(-1, s, true)));
        foreach (var spec in specials)
        {
            var existing = byId.Values.FirstOrDefault(t => t.Content == spec.Content);
            if (existing is not null) { byId[existing.Id] = existing with { Special = true }; continue; }
            if (model.TokenToId(spec.Content) is { } id) byId[id] = spec with { Id = id, Special = true, Normalized = false };
        }
        tokens.AddRange(byId.Values);
        return tokens;
    }

    static IEnumerable<string> ReadLines(string path)
    {
        if (!File.Exists(path)) throw new TokenizerLoadException(path, "file not found");
        // Split on '\n' only: vocabularies may contain other line-breaking characters (U+2028, \r inside tokens).
        var text = File.ReadAllText(path);
        var lines = text.Split('\n');
        var count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        for (var i = 0; i < count; i++) yield return lines[i].EndsWith('\r') && path.EndsWith("merges.txt", StringComparison.Ordinal) ? lines[i][..^1] : lines[i];
    }
}
