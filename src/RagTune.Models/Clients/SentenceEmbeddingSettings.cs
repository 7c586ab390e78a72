using System.Text.Json;

namespace RagTune.Models.Clients;

/// <summary>
/// How token vectors become one sentence vector for a model folder: the pooling mode and normalisation of a
/// sentence-transformers folder (see <see cref="HiddenStatePooling"/>) and <c>sentence_bert_config.json</c>'s
/// <c>max_seq_length</c> and the query prompt of <c>config_sentence_transformers.json</c>. A plain BERT folder gets mean pooling with L2 normalisation.
/// </summary>
/// <param name="Mode">Which token vectors are pooled.</param>
/// <param name="Normalize">L2-normalise the pooled vector (cosine similarity becomes a dot product).</param>
/// <param name="MaxSequenceLength">Truncate inputs to this many tokens; null: the model's position limit.</param>
/// <param name="QueryPrefix">Text put before search queries (<c>config_sentence_transformers.json</c>'s <c>prompts.query</c>); null: none.</param>
public sealed record SentenceEmbeddingSettings(PoolingMode Mode, bool Normalize, int? MaxSequenceLength, string? QueryPrefix = null)
{
    /// <summary>Mean pooling, normalised, no extra length limit.</summary>
    public static SentenceEmbeddingSettings Default { get; } = new(PoolingMode.Mean, true, null);

    /// <summary>Reads the settings of <paramref name="dir"/>; <see cref="Default"/> where files are missing.</summary>
    public static SentenceEmbeddingSettings FromFolder(string dir)
    {
        var settings = Default with { Mode = HiddenStatePooling.ReadMode(dir, PoolingMode.Mean) };
        // A sentence-transformers folder says whether it normalises; a plain checkpoint gets cosine-ready vectors.
        if (File.Exists(Path.Combine(dir, "modules.json")))
            settings = settings with { Normalize = HiddenStatePooling.ReadNormalize(dir) };
        var sbert = Path.Combine(dir, "sentence_bert_config.json");
        if (File.Exists(sbert))
        {
            using var config = JsonDocument.Parse(File.ReadAllText(sbert));
            if (config.RootElement.TryGetProperty("max_seq_length", out var max) && max.ValueKind == JsonValueKind.Number)
                settings = settings with { MaxSequenceLength = max.GetInt32() };
        }
        var prompts = Path.Combine(dir, "config_sentence_transformers.json");
        if (File.Exists(prompts))
        {
            using var config = JsonDocument.Parse(File.ReadAllText(prompts));
            if (config.RootElement.TryGetProperty("prompts", out var p) && p.ValueKind == JsonValueKind.Object &&
                p.TryGetProperty("query", out var query) && query.ValueKind == JsonValueKind.String && query.GetString() is { Length: > 0 } prefix)
                settings = settings with { QueryPrefix = prefix };
        }
        return settings;
    }
}
