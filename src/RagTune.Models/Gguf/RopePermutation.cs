using static TorchSharp.torch;

namespace RagTune.Models.Gguf;

/// <summary>
/// Hugging Face Llama checkpoints rotate the two halves of each head (<c>rotate_half</c>); llama.cpp's "llama" RoPE
/// rotates adjacent pairs. Reordering the rows of q and k (and their biases) per head — half i, element j → row 2j + i
/// — makes both compute the same attention. Qwen2 uses llama.cpp's NeoX RoPE, which rotates halves: no reordering.
/// </summary>
internal static class RopePermutation
{
    /// <summary>HF row order → llama.cpp row order. <paramref name="w"/>: [heads·head_dim, …] or [heads·head_dim].</summary>
    public static Tensor ToInterleaved(Tensor w, int heads)
    {
        var shape = w.shape;
        var rest = shape.Length > 1 ? shape[1] : 1;
        return w.reshape(heads, 2, shape[0] / heads / 2, rest).transpose(1, 2).reshape(shape); // (h, 2, hd/2, in) → (h, hd/2, 2, in)
    }

    /// <summary>The inverse of <see cref="ToInterleaved"/>.</summary>
    public static Tensor FromInterleaved(Tensor w, int heads)
    {
        var shape = w.shape;
        var rest = shape.Length > 1 ? shape[1] : 1;
        return w.reshape(heads, shape[0] / heads / 2, 2, rest).transpose(1, 2).reshape(shape); // (h, hd/2, 2, in) → (h, 2, hd/2, in)
    }
}
