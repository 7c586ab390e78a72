using System.Text.Json.Nodes;
using RagTune.Models.Tokenization;

namespace RagTune.Models.Gguf;

/// <summary>
/// The byte-level BPE pre-tokenizers llama.cpp knows by name (<c>tokenizer.ggml.pre</c>) that this engine implements
/// identically: recognised from a tokenizer.json on export, rebuilt from the name on import.
/// </summary>
internal static class GgufPreTokenizers
{
    const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
    const string Llama3Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    const string Qwen2Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public static IReadOnlyList<string> Names { get; } = ["gpt-2", "llama-bpe", "qwen2", "smollm"];

    /// <summary>The llama.cpp name of a tokenizer.json <c>pre_tokenizer</c>, or null when it is none of <see cref="Names"/>.</summary>
    public static string? Identify(JsonObject? pre)
    {
        if (pre is null) return null;
        var type = Str(pre, "type");
        if (type == "ByteLevel" && Bool(pre, "use_regex", true)) return "gpt-2";
        if (type != "Sequence" || pre["pretokenizers"] is not JsonArray { Count: 2 } items) return null;
        if (items[0] is not JsonObject first || items[1] is not JsonObject second || Str(second, "type") != "ByteLevel") return null;
        if (Str(first, "type") == "Digits" && Bool(first, "individual_digits", false) && Bool(second, "use_regex", true)) return "smollm";
        if (Str(first, "type") != "Split" || Bool(second, "use_regex", true) || Bool(first, "invert", false)) return null;
        if ((Str(first, "behavior") ?? "Isolated") != "Isolated") return null;
        return first["pattern"]?["Regex"]?.GetValue<string>() switch
        {
            Llama3Pattern => "llama-bpe",
            Qwen2Pattern => "qwen2",
            Gpt2Pattern => "gpt-2",
            _ => null,
        };
    }

    /// <summary>The pre-tokenizer named <paramref name="name"/>, or null when unknown.</summary>
    public static IPreTokenizer? Create(string name) => name switch
    {
        "gpt-2" or "default" => new ByteLevelPreTokenizer(false, true),
        "llama-bpe" or "llama3" => Split(Llama3Pattern),
        "qwen2" => Split(Qwen2Pattern),
        "smollm" => new SequencePreTokenizer([new DigitsPreTokenizer(true), new ByteLevelPreTokenizer(false, true)]),
        _ => null,
    };

    static SequencePreTokenizer Split(string pattern) =>
        new([new SplitPreTokenizer(null, new CodePointRegex(pattern), SplitBehavior.Isolated, false), new ByteLevelPreTokenizer(false, false)]);

    static string? Str(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    static bool Bool(JsonObject o, string name, bool fallback) => o[name] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : fallback;
}
