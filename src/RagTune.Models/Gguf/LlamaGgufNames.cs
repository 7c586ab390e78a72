using System.Text.RegularExpressions;

namespace RagTune.Models.Gguf;

/// <summary>
/// Hugging Face Llama-family keys ↔ llama.cpp tensor names (<c>token_embd</c>, <c>blk.N.attn_q</c>, …), the one key map
/// between the two worlds.
/// </summary>
internal static partial class LlamaGgufNames
{
    static readonly (string Hf, string Gguf)[] Globals =
    [
        ("model.embed_tokens", "token_embd"),
        ("model.norm", "output_norm"),
        ("lm_head", "output"),
    ];

    static readonly (string Hf, string Gguf)[] PerLayer =
    [
        ("input_layernorm", "attn_norm"),
        ("post_attention_layernorm", "ffn_norm"),
        ("self_attn.q_proj", "attn_q"),
        ("self_attn.k_proj", "attn_k"),
        ("self_attn.v_proj", "attn_v"),
        ("self_attn.o_proj", "attn_output"),
        ("mlp.gate_proj", "ffn_gate"),
        ("mlp.up_proj", "ffn_up"),
        ("mlp.down_proj", "ffn_down"),
    ];

    [GeneratedRegex(@"^model\.layers\.(\d+)\.(.+)\.(weight|bias)$")]
    private static partial Regex HfLayerKey();

    [GeneratedRegex(@"^blk\.(\d+)\.([a-z_]+)\.(weight|bias)$")]
    private static partial Regex GgufLayerKey();

    /// <summary>The llama.cpp name of HF key <paramref name="key"/>, or null when it has none.</summary>
    public static string? ToGguf(string key)
    {
        var m = HfLayerKey().Match(key);
        if (m.Success)
        {
            var module = PerLayer.FirstOrDefault(p => p.Hf == m.Groups[2].Value).Gguf;
            return module is null ? null : $"blk.{m.Groups[1].Value}.{module}.{m.Groups[3].Value}";
        }
        foreach (var (hf, gguf) in Globals)
            if (key.StartsWith(hf + ".", StringComparison.Ordinal)) return gguf + key[hf.Length..];
        return null;
    }

    /// <summary>The HF key of llama.cpp name <paramref name="name"/>, or null.</summary>
    public static string? ToHf(string name)
    {
        var m = GgufLayerKey().Match(name);
        if (m.Success)
        {
            var module = PerLayer.FirstOrDefault(p => p.Gguf == m.Groups[2].Value).Hf;
            return module is null ? null : $"model.layers.{m.Groups[1].Value}.{module}.{m.Groups[3].Value}";
        }
        foreach (var (hf, gguf) in Globals)
            if (name.StartsWith(gguf + ".", StringComparison.Ordinal)) return hf + name[gguf.Length..];
        return null;
    }

    /// <summary>Whether the tensor is a q or k projection (rows permuted for llama.cpp's interleaved RoPE).</summary>
    public static bool IsQuery(string hfKey) => hfKey.Contains(".self_attn.q_proj.", StringComparison.Ordinal);

    /// <inheritdoc cref="IsQuery"/>
    public static bool IsKey(string hfKey) => hfKey.Contains(".self_attn.k_proj.", StringComparison.Ordinal);
}
