using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models;

/// <summary>
/// Sentence embeddings from an encoder's hidden states: CLS / mean / max / last-token pooling and L2 normalisation, with
/// the mode read from a sentence-transformers folder (<c>modules.json</c> → <c>1_Pooling/config.json</c>) when present.
/// </summary>
public static class HiddenStatePooling
{
    /// <summary>
    /// Pools <paramref name="hidden"/> (B, T, H) over positions where <paramref name="attentionMask"/> (B, T) is 1 → (B, H).
    /// </summary>
    public static Tensor Pool(Tensor hidden, Tensor? attentionMask, PoolingMode mode)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        using var scope = NewDisposeScope();
        var (b, t) = (hidden.shape[0], hidden.shape[1]);
        var mask = (attentionMask ?? ones(b, t, ScalarType.Int64)).to_type(hidden.dtype).unsqueeze(-1); // (B, T, 1)
        var pooled = mode switch
        {
            PoolingMode.Cls => hidden.select(1, 0),
            PoolingMode.Mean => hidden.mul(mask).sum(1).div(mask.sum(1).clamp_min(1e-9)),
            PoolingMode.Max => hidden.masked_fill(mask.eq(0), -1e9).max(1).values,
            PoolingMode.LastToken => hidden[arange(0, b, ScalarType.Int64),
                mask.squeeze(-1).to_type(ScalarType.Int64).mul(arange(0, t, ScalarType.Int64)).argmax(-1)],
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
        };
        return pooled.MoveToOuterDisposeScope();
    }

    /// <summary>Scales each row of <paramref name="x"/> (B, H) to unit L2 norm (as <c>F.normalize(p=2, dim=1)</c>).</summary>
    public static Tensor Normalize(Tensor x)
    {
        using var scope = NewDisposeScope();
        return x.div(x.norm(1, keepdim: true, p: 2).clamp_min(1e-12)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The pooling mode of a sentence-transformers folder, or <paramref name="fallback"/> when the folder has no pooling
    /// config (a plain HF checkpoint).
    /// </summary>
    public static PoolingMode ReadMode(string dir, PoolingMode fallback = PoolingMode.Mean)
    {
        var config = Path.Combine(dir, PoolingFolder(dir), "config.json");
        if (!File.Exists(config)) return fallback;
        var o = JsonNode.Parse(File.ReadAllText(config)) as JsonObject
            ?? throw new ModelLoadException($"{config}: not a JSON object.", config);
        bool Flag(string name) => o[name]?.GetValue<bool>() ?? false;
        if (Flag("pooling_mode_cls_token")) return PoolingMode.Cls;
        if (Flag("pooling_mode_mean_tokens")) return PoolingMode.Mean;
        if (Flag("pooling_mode_max_tokens")) return PoolingMode.Max;
        if (Flag("pooling_mode_lasttoken")) return PoolingMode.LastToken;
        throw new ModelLoadException($"{config}: no supported pooling mode is enabled (cls, mean, max, lasttoken).", config);
    }

    /// <summary>Whether a sentence-transformers folder ends with a <c>Normalize</c> module (its embeddings are unit-length).</summary>
    public static bool ReadNormalize(string dir)
    {
        var modules = Path.Combine(dir, "modules.json");
        return File.Exists(modules) && File.ReadAllText(modules).Contains("sentence_transformers.models.Normalize", StringComparison.Ordinal);
    }

    static string PoolingFolder(string dir)
    {
        var modules = Path.Combine(dir, "modules.json");
        if (File.Exists(modules) && JsonNode.Parse(File.ReadAllText(modules)) is JsonArray list)
            foreach (var m in list)
                if (m?["type"]?.GetValue<string>() == "sentence_transformers.models.Pooling" && m["path"]?.GetValue<string>() is { } path)
                    return path;
        return "1_Pooling";
    }
}
