using static TorchSharp.torch;

namespace RagTune.Models;

/// <summary>What a transformer block needs besides the hidden states; built once per model forward.</summary>
/// <param name="LayerIndex">Index of the block.</param>
/// <param name="AttentionBias">Additive attention mask (B|1, 1, T, L) with 0 = attend, dtype-min = masked; null = attend to all.</param>
/// <param name="Cos">RoPE cosines (B, 1, T, head_dim), for rotary models (see <see cref="Nn.RotaryEmbedding.Compute"/>).</param>
/// <param name="Sin">RoPE sines with the first half negated (B, 1, T, head_dim), for rotary models.</param>
/// <param name="Cache">KV cache to append to, or null.</param>
public sealed record BlockContext(int LayerIndex, Tensor? AttentionBias, Tensor? Cos = null, Tensor? Sin = null, KvCache? Cache = null);
