using System.Text.Json;

namespace RagTune.Models.Clients;

/// <summary>
/// How token vectors become one sentence vector, read from a sentence-transformers folder: <c>modules.json</c>
/// (a <c>Normalize</c> module means L2 normalisation), the pooling module's <c>config.json</c>
/// (<c>pooling_mode_cls_token</c> / <c>pooling_mode_mean_tokens</c>) and <c>sentence_bert_config.json</c>
/// (<c>max_seq_length</c>). A plain BERT folder gets mean pooling with L2 normalisation.
/// </summary>
/// <param name="Mode">CLS token or masked mean.</param>
/// <param name="Normalize">L2-normalise the pooled vector (cosine similarity becomes a dot product).</param>
/// <param name="MaxSequenceLength">Truncate inputs to this many tokens; null: the model's position limit.</param>
public sealed record EmbeddingPooling(EmbeddingPoolingMode Mode, bool Normalize, int? MaxSequenceLength)
{
    /// <summary>Mean pooling, normalised, no extra length limit.</summary>
    public static EmbeddingPooling Default { get; } = new(EmbeddingPoolingMode.Mean, true, null);

    /// <summary>Reads the pooling setup of <paramref name="dir"/>; <see cref="Default"/> where files are missing.</summary>
    public static EmbeddingPooling FromFolder(string dir)
    {
        var pooling = Default;
        var modulesPath = Path.Combine(dir, "modules.json");
        if (File.Exists(modulesPath))
        {
            using var modules = JsonDocument.Parse(File.ReadAllText(modulesPath));
            var normalize = false;
            foreach (var module in modules.RootElement.EnumerateArray())
            {
                var type = module.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
                var path = module.TryGetProperty("path", out var p) ? p.GetString() ?? "" : "";
                if (type.EndsWith(".Normalize", StringComparison.Ordinal)) normalize = true;
                if (type.EndsWith(".Pooling", StringComparison.Ordinal))
                    pooling = pooling with { Mode = ReadMode(Path.Combine(dir, path, "config.json")) };
            }
            pooling = pooling with { Normalize = normalize };
        }
        var sbert = Path.Combine(dir, "sentence_bert_config.json");
        if (File.Exists(sbert))
        {
            using var config = JsonDocument.Parse(File.ReadAllText(sbert));
            if (config.RootElement.TryGetProperty("max_seq_length", out var max) && max.ValueKind == JsonValueKind.Number)
                pooling = pooling with { MaxSequenceLength = max.GetInt32() };
        }
        return pooling;
    }

    static EmbeddingPoolingMode ReadMode(string configPath)
    {
        if (!File.Exists(configPath)) return EmbeddingPoolingMode.Mean;
        using var config = JsonDocument.Parse(File.ReadAllText(configPath));
        bool Flag(string name) => config.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
        if (Flag("pooling_mode_cls_token")) return EmbeddingPoolingMode.Cls;
        if (Flag("pooling_mode_mean_tokens")) return EmbeddingPoolingMode.Mean;
        throw new NotSupportedException($"{configPath}: only CLS and mean pooling are supported. HINT: set pooling_mode_mean_tokens.");
    }
}
