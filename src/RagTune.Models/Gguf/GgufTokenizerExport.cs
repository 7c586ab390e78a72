using System.Text.Json.Nodes;
using RagTune.Models.Templates;
using RagTune.Models.Tokenization;

namespace RagTune.Models.Gguf;

/// <summary>
/// The <c>tokenizer.ggml.*</c> metadata of a model folder, as llama.cpp's converter writes it: byte-level BPE
/// (<c>tokenizer.json</c> or <c>vocab.json</c> + <c>merges.txt</c>) as model <c>gpt2</c> with merges and the
/// pre-tokenizer's llama.cpp name; a SentencePiece <c>tokenizer.model</c> as model <c>llama</c> with scores and token
/// types. Special ids, add_bos/add_eos and the chat template come from the folder's tokenizer and config.
/// </summary>
internal static class GgufTokenizerExport
{
    // llama.cpp's token types.
    public const int Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6;

    public static void Write(GgufWriter writer, string dir, ModelConfig config)
    {
        var tokenizer = TokenizerLoader.FromFolder(dir);
        var json = Path.Combine(dir, "tokenizer.json");
        var spm = Path.Combine(dir, "tokenizer.model");
        var tokenizerJson = File.Exists(json) ? TokenizerConfig.ReadObject(json) : null;
        var isSentencePiece = File.Exists(spm) && (tokenizerJson is null || IsSentencePieceBpe(tokenizerJson));
        if (isSentencePiece) WriteSentencePiece(writer, dir, spm, config);
        else WriteByteLevelBpe(writer, dir, json, tokenizerJson, config);

        // What the folder's tokenizer adds around a text, as tokenizer(text) would.
        var plain = tokenizer.Encode("a", addSpecialTokens: false);
        var special = tokenizer.Encode("a", addSpecialTokens: true);
        var addBos = special.Count > plain.Count && tokenizer.BosTokenId is { } b && special[0] == b;
        var addEos = special.Count > plain.Count && tokenizer.EosTokenId is { } e && special[^1] == e;
        if ((tokenizer.BosTokenId ?? config.BosTokenId) is { } bos) writer.Set("tokenizer.ggml.bos_token_id", (uint)bos);
        if ((tokenizer.EosTokenId ?? (config.EosTokenIds.Count > 0 ? config.EosTokenIds[0] : null)) is { } eos) writer.Set("tokenizer.ggml.eos_token_id", (uint)eos);
        if ((tokenizer.PadTokenId ?? config.PadTokenId) is { } pad) writer.Set("tokenizer.ggml.padding_token_id", (uint)pad);
        writer.Set("tokenizer.ggml.add_bos_token", addBos);
        writer.Set("tokenizer.ggml.add_eos_token", addEos);
        if (ChatTemplate.FromFolder(dir) is { } template) writer.Set("tokenizer.chat_template", template.Source);
    }

    static bool IsSentencePieceBpe(JsonObject json) =>
        json["model"]?["byte_fallback"] is JsonValue v && v.TryGetValue<bool>(out var fallback) && fallback;

    static void WriteSentencePiece(GgufWriter writer, string dir, string path, ModelConfig config)
    {
        var sp = SentencePieceModel.Load(path);
        var tokens = sp.Pieces.ToList();
        var scores = sp.Scores.ToList();
        var types = sp.Types.ToList();
        // Tokens added on top of the SentencePiece vocabulary (tokenizer_config.json's added_tokens_decoder).
        foreach (var added in TokenizerConfig.Load(dir).AddedTokensDecoder.Where(t => t.Id >= sp.Pieces.Length).OrderBy(t => t.Id))
        {
            Pad(tokens, scores, types, added.Id);
            tokens.Add(added.Content);
            scores.Add(-1000f);
            types.Add(added.Special ? Control : UserDefined);
        }
        CheckSize(dir, tokens.Count, config);
        Pad(tokens, scores, types, config.VocabSize);
        writer.Set("tokenizer.ggml.model", "llama");
        writer.Set("tokenizer.ggml.pre", "default");
        writer.Set("tokenizer.ggml.tokens", tokens.ToArray());
        writer.Set("tokenizer.ggml.scores", scores.ToArray());
        writer.Set("tokenizer.ggml.token_type", types.ToArray());
        writer.Set("tokenizer.ggml.unknown_token_id", (uint)sp.UnkId);
        writer.Set("tokenizer.ggml.add_space_prefix", sp.AddDummyPrefix);
    }

    static void CheckSize(string dir, int tokens, ModelConfig config)
    {
        if (tokens > config.VocabSize)
            throw new ModelLoadException($"{dir}: the tokenizer has {tokens} tokens but the model's vocab_size is {config.VocabSize}; llama.cpp needs one embedding row per token. HINT: the tokenizer files do not belong to this model.", dir);
    }

    static void Pad(List<string> tokens, List<float>? scores, List<int> types, int size)
    {
        while (tokens.Count < size)
        {
            tokens.Add($"[PAD{tokens.Count}]");
            scores?.Add(-1000f);
            types.Add(Unused);
        }
    }

    static void WriteByteLevelBpe(GgufWriter writer, string dir, string jsonPath, JsonObject? json, ModelConfig config)
    {
        var vocab = new Dictionary<int, string>();
        var types = new Dictionary<int, int>();
        List<string> merges;
        string pre;
        if (json is not null)
        {
            var model = json["model"] as JsonObject;
            if (model?["type"]?.GetValue<string>() is { } t && t != "BPE" || model?["vocab"] is not JsonObject v)
                throw new ModelLoadException($"{jsonPath}: only BPE tokenizers can be written to GGUF here (model type '{model?["type"]}').", jsonPath);
            foreach (var (token, id) in v) vocab[id!.GetValue<int>()] = token;
            merges = ((model["merges"] as JsonArray) ?? []).Select(m => m is JsonArray pair
                ? $"{pair[0]!.GetValue<string>()} {pair[1]!.GetValue<string>()}"
                : m!.GetValue<string>()).ToList();
            foreach (var item in (json["added_tokens"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var id = item["id"]!.GetValue<int>();
                vocab[id] = item["content"]!.GetValue<string>();
                types[id] = item["special"]?.GetValue<bool>() == true ? Control : UserDefined;
            }
            pre = PreTokenizerName(json["pre_tokenizer"] as JsonObject, jsonPath);
        }
        else
        {
            var vocabPath = Path.Combine(dir, "vocab.json");
            if (!File.Exists(vocabPath))
                throw new ModelLoadException($"{dir}: no tokenizer GGUF can hold (tokenizer.json with a BPE model, vocab.json + merges.txt, or tokenizer.model).", dir);
            foreach (var (token, id) in TokenizerConfig.ReadObject(vocabPath)) vocab[id!.GetValue<int>()] = token;
            merges = File.ReadAllText(Path.Combine(dir, "merges.txt")).Split('\n')
                .Select(l => l.TrimEnd('\r')).Where((l, i) => l.Length > 0 && !(i == 0 && l.StartsWith("#version", StringComparison.Ordinal))).ToList();
            var tokenizerConfig = TokenizerConfig.Load(dir);
            foreach (var added in tokenizerConfig.AddedTokensDecoder)
            {
                vocab[added.Id] = added.Content;
                types[added.Id] = added.Special ? Control : UserDefined;
            }
            foreach (var name in tokenizerConfig.SpecialTokens.Values.Where(s => s is not null))
                foreach (var (id, token) in vocab)
                    if (token == name!.Content) types[id] = Control;
            pre = "gpt-2";
        }
        var size = Math.Max(config.VocabSize, vocab.Keys.DefaultIfEmpty(-1).Max() + 1);
        CheckSize(dir, size, config);
        var tokens = new string[size];
        var tokenTypes = new int[size];
        for (var i = 0; i < size; i++)
        {
            tokens[i] = vocab.TryGetValue(i, out var token) ? token : $"[PAD{i}]";
            tokenTypes[i] = types.TryGetValue(i, out var type) ? type : vocab.ContainsKey(i) ? Normal : Unused;
        }
        writer.Set("tokenizer.ggml.model", "gpt2");
        writer.Set("tokenizer.ggml.pre", pre);
        writer.Set("tokenizer.ggml.tokens", tokens);
        writer.Set("tokenizer.ggml.token_type", tokenTypes);
        writer.Set("tokenizer.ggml.merges", merges.ToArray());
    }

    /// <summary>llama.cpp's name for a tokenizer.json pre-tokenizer it implements (see <see cref="GgufPreTokenizers"/>).</summary>
    static string PreTokenizerName(JsonObject? pre, string path)
    {
        if (GgufPreTokenizers.Identify(pre) is { } name) return name;
        throw new ModelLoadException(
            $"{path}: the pre-tokenizer {pre?.ToJsonString()[..Math.Min(200, pre.ToJsonString().Length)]} matches none llama.cpp implements " +
            $"(known here: {string.Join(", ", GgufPreTokenizers.Names)}). HINT: llama.cpp would tokenize differently; this export refuses rather than guess.", path);
    }
}
