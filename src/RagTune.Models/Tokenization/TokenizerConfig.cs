using System.Text.Json;
using System.Text.Json.Nodes;

namespace RagTune.Models.Tokenization;

/// <summary>
/// What transformers reads from <c>tokenizer_config.json</c> and <c>special_tokens_map.json</c>: special tokens,
/// <c>added_tokens_decoder</c> and the flags that change encoding (add_bos/eos_token, do_lower_case, legacy, …).
/// </summary>
internal sealed class TokenizerConfig
{
    public const string FileName = "tokenizer_config.json";
    public const string SpecialTokensMapFileName = "special_tokens_map.json";

    public Dictionary<string, AddedTokenSpec?> SpecialTokens { get; } = new(StringComparer.Ordinal);
    public List<string> AdditionalSpecialTokens { get; } = [];
    public List<AddedTokenSpec> AddedTokensDecoder { get; } = [];
    public JsonObject Json { get; private set; } = new();

    public string? Token(string name) => SpecialTokens.TryGetValue(name, out var t) ? t?.Content : null;

    public bool? Flag(string name) => Json[name] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    public string? String(string name) => Json[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>Reads both files from <paramref name="dir"/>; missing files give an empty config.</summary>
    public static TokenizerConfig Load(string dir)
    {
        var config = new TokenizerConfig();
        // special_tokens_map.json first: tokenizer_config.json wins where both name a token.
        var mapPath = Path.Combine(dir, SpecialTokensMapFileName);
        if (File.Exists(mapPath)) config.ReadSpecialTokens(ReadObject(mapPath), mapPath);
        var path = Path.Combine(dir, FileName);
        if (File.Exists(path))
        {
            config.Json = ReadObject(path);
            config.ReadSpecialTokens(config.Json, path);
            if (config.Json["added_tokens_decoder"] is JsonObject decoder)
                foreach (var (key, value) in decoder)
                {
                    if (!int.TryParse(key, out var id) || value is not JsonObject o)
                        throw new TokenizerLoadException(path, $"added_tokens_decoder entry '{key}' is not an id with a token object");
                    config.AddedTokensDecoder.Add(ParseAddedToken(o, id, path));
                }
        }
        return config;
    }

    /// <summary>A config from an in-memory <c>tokenizer_config.json</c> object (e.g. rebuilt from GGUF metadata).</summary>
    public static TokenizerConfig FromObject(JsonObject json, string path)
    {
        var config = new TokenizerConfig { Json = json };
        config.ReadSpecialTokens(json, path);
        if (json["added_tokens_decoder"] is JsonObject decoder)
            foreach (var (key, value) in decoder)
                config.AddedTokensDecoder.Add(ParseAddedToken((JsonObject)value!, int.Parse(key, System.Globalization.CultureInfo.InvariantCulture), path));
        return config;
    }

    public static JsonObject ReadObject(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true }) as JsonObject
                ?? throw new TokenizerLoadException(path, "expected a JSON object at the top level");
        }
        catch (JsonException e)
        {
            throw new TokenizerLoadException(path, $"malformed JSON ({e.Message})", e);
        }
    }

    /// <summary>An added token from a tokenizer.json <c>added_tokens</c> entry or an <c>added_tokens_decoder</c> value.</summary>
    public static AddedTokenSpec ParseAddedToken(JsonObject o, int id, string path)
    {
        var content = o["content"]?.GetValue<string>() ?? throw new TokenizerLoadException(path, $"added token {id} has no 'content'");
        var special = o["special"]?.GetValue<bool>() ?? false;
        return new AddedTokenSpec(id, content, special,
            SingleWord: o["single_word"]?.GetValue<bool>() ?? false,
            LStrip: o["lstrip"]?.GetValue<bool>() ?? false,
            RStrip: o["rstrip"]?.GetValue<bool>() ?? false,
            Normalized: o["normalized"]?.GetValue<bool>() ?? !special);
    }

    void ReadSpecialTokens(JsonObject json, string path)
    {
        foreach (var name in new[] { "bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token", "mask_token" })
        {
            if (!json.ContainsKey(name)) continue;
            SpecialTokens[name] = json[name] switch
            {
                null => null,
                JsonValue v when v.TryGetValue<string>(out var s) => new AddedTokenSpec(-1, s, true),
                JsonObject o => ParseAddedToken(o, -1, path) with { Special = true },
                _ => throw new TokenizerLoadException(path, $"'{name}' must be a string or a token object"),
            };
        }
        if (json["additional_special_tokens"] is JsonArray extra)
        {
            AdditionalSpecialTokens.Clear();
            foreach (var item in extra)
                AdditionalSpecialTokens.Add(item is JsonObject o ? o["content"]!.GetValue<string>() : item!.GetValue<string>());
        }
    }
}
