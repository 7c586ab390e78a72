using RagTune.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Training.Pretraining;

/// <summary>
/// Mimetic initialisation of self-attention (Trockman &amp; Kolter, "Mimetic Initialization of Self-Attention Layers",
/// ICML 2023): every head starts with <c>W_q = W_k</c>, so <c>W_qᵀW_k</c> is positive semi-definite and a token attends
/// most to tokens like itself, and with <c>W_o = W_vᵀ</c>, so <c>W_o W_v ≈ I</c> and what a head attends to is passed
/// on unchanged. Matching a name in the question to the same name in a source, and copying the value found there, is
/// what reading retrieved chunks needs; from the usual small random weights those two circuits appear only after a long
/// plateau, far beyond a few minutes of pre-training on two cores. The paper sets <c>W_v W_o ≈ −I</c> (its vision
/// models); it reports GPT-2's deeper layers drifting to a positive product, and copying needs the positive sign.
/// </summary>
public static class MimeticInitialization
{
    /// <summary>
    /// The expected attention score of a token on itself, <c>E[qᵀk]/√d_head</c> for an input of unit RMS: a few nats
    /// above an unrelated token's, enough to prefer matches, not so much that a head starts one-hot.
    /// </summary>
    public const double SelfScore = 3.0;

    /// <summary>
    /// Re-initialises the query, key, value and output projections of every self-attention block of a Llama-family
    /// model (<c>*.self_attn.{q,k,v,o}_proj.weight</c>) with a seeded generator, heads as its config counts them; other
    /// parameters are left as they are. Returns the number of blocks changed.
    /// </summary>
    /// <exception cref="ArgumentException">A block's projections are not square and equal-sized (grouped-query attention).</exception>
    public static int Apply(PretrainedModel model, long seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        var heads = model.Config.NumAttentionHeads;
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        var blocks = parameters.Keys.Where(n => n.EndsWith(".self_attn.q_proj.weight", StringComparison.Ordinal))
            .Select(n => n[..^"q_proj.weight".Length]).OrderBy(n => n, StringComparer.Ordinal).ToList();
        using var generator = new Generator((ulong)seed);
        using var _ = no_grad();
        foreach (var block in blocks)
        {
            var (q, k, v, o) = (parameters[block + "q_proj.weight"], parameters[block + "k_proj.weight"],
                                parameters[block + "v_proj.weight"], parameters[block + "o_proj.weight"]);
            var hidden = q.shape[1];
            if (q.shape[0] != hidden || !k.shape.SequenceEqual(q.shape) || !v.shape.SequenceEqual(q.shape) || !o.shape.SequenceEqual(q.shape))
                throw new ArgumentException($"{block}: mimetic initialisation needs square q/k/v/o projections of one size (as many key/value heads as heads); got q {Shape(q)}, k {Shape(k)}, v {Shape(v)}, o {Shape(o)}.", nameof(model));
            var headDim = hidden / heads;
            // E[|W h|²] per head = headDim · hidden · σ² for h of unit RMS (|h|² = hidden); divided by √headDim.
            var qkStd = Math.Sqrt(SelfScore / (hidden * Math.Sqrt(headDim)));
            q.normal_(0, qkStd, generator);
            k.copy_(q);
            // E[VᵀV] = rows · σ² · I: σ = 1/√hidden makes W_o W_v = VᵀV the identity in expectation.
            v.normal_(0, 1 / Math.Sqrt(hidden), generator);
            o.copy_(v.t());
        }
        return blocks.Count;
    }

    static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
}
