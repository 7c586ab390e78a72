using System.Text.Json.Nodes;

namespace RagTune.Models.Generation;

/// <summary>Reads a checkpoint's <c>generation_config.json</c> into <see cref="GenerationOptions"/> defaults.</summary>
public static class GenerationConfig
{
    /// <summary>
    /// The folder's generation defaults: sampling settings only when <c>do_sample</c> is true (as HF <c>generate</c>
    /// ignores them otherwise), <c>repetition_penalty</c>, <c>max_new_tokens</c>, and <c>eos_token_id</c> (int or list)
    /// as stop tokens. Missing file: <paramref name="baseOptions"/> (default greedy) unchanged.
    /// </summary>
    public static GenerationOptions FromFolder(string dir, GenerationOptions? baseOptions = null)
    {
        var options = baseOptions ?? new GenerationOptions();
        if (Gguf.GgufModelLoader.IsGgufFile(dir))
        {
            // A GGUF file's stop tokens: its EOS, and the end-of-turn token when it names one.
            using var file = Gguf.GgufFile.Open(dir);
            var stops = new[] { "tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id" }
                .Select(file.GetInteger).Where(id => id is not null).Select(id => (int)id!.Value).Distinct().ToList();
            return stops.Count > 0 && options.StopTokenIds is null ? options with { StopTokenIds = stops } : options;
        }
        var path = Path.Combine(dir, "generation_config.json");
        if (!File.Exists(path)) return options;
        if (JsonNode.Parse(File.ReadAllText(path)) is not JsonObject json) return options;
        if (Bool(json, "do_sample") == true)
            options = options with
            {
                Temperature = (float)(Number(json, "temperature") ?? 1.0),
                TopP = (float)(Number(json, "top_p") ?? 1.0),
                // HF's default top_k is 50 whenever sampling is on.
                TopK = (int)(Number(json, "top_k") ?? 50),
            };
        if (Number(json, "repetition_penalty") is { } penalty) options = options with { RepetitionPenalty = (float)penalty };
        if (Number(json, "max_new_tokens") is { } max) options = options with { MaxNewTokens = (int)max };
        var eos = json["eos_token_id"] switch
        {
            JsonValue v when v.TryGetValue<int>(out var id) => [id],
            JsonArray a => a.Select(x => x!.GetValue<int>()).ToList(),
            _ => (List<int>?)null,
        };
        if (eos is not null && options.StopTokenIds is null) options = options with { StopTokenIds = eos };
        return options;
    }

    static double? Number(JsonObject o, string key) =>
        o[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    static bool? Bool(JsonObject o, string key) =>
        o[key] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;
}
