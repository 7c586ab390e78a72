using RagTune.Models.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models.Nn;

/// <summary>Attention helpers shared by the architectures: masks, positions and scaled dot-product attention with GQA.</summary>
public static class AttentionOps
{
    /// <summary>The most negative finite value of <paramref name="dtype"/> (Hugging Face masks with it, not −∞).</summary>
    public static double MinValue(ScalarType dtype) => dtype switch
    {
        ScalarType.Float16 => -65504.0,
        ScalarType.BFloat16 => -3.3895313892515355e38,
        ScalarType.Float64 => double.MinValue,
        _ => float.MinValue,
    };

    /// <summary>
    /// Position ids (B, T) for the T new tokens: from the mask (B, past+T) as HF <c>generate</c> (cumsum − 1, pads → 1),
    /// else past..past+T−1.
    /// </summary>
    public static Tensor PositionIds(Tensor? attentionMask, long batch, long t, long past)
    {
        if (attentionMask is null) return arange(past, past + t, ScalarType.Int64).unsqueeze(0).expand(batch, t);
        var mask = attentionMask.to_type(ScalarType.Int64);
        var pos = mask.cumsum(-1, ScalarType.Int64).sub_(1).masked_fill_(mask.eq(0), 1);
        return pos.narrow(1, pos.shape[1] - t, t);
    }

    /// <summary>
    /// Additive causal mask (B|1, 1, T, past+T) for T new queries at absolute positions past..past+T−1, combined with the
    /// padding mask (B, past+T); 0 = attend, <see cref="MinValue"/> = masked. With <paramref name="slidingWindow"/> w, a
    /// query at position i sees only positions j with i − w &lt; j ≤ i (Mistral; positions are cache slots, padding
    /// included, as in Hugging Face). Null when nothing is masked (one new token, no padding mask, window not reached).
    /// </summary>
    public static Tensor? CausalBias(Tensor? attentionMask, long t, long past, ScalarType dtype, int? slidingWindow = null)
    {
        var l = past + t;
        if (attentionMask is not null && attentionMask.shape[1] != l)
            throw new ArgumentException($"attention mask covers {attentionMask.shape[1]} positions, expected past ({past}) + new ({t}) = {l}.", nameof(attentionMask));
        if (slidingWindow is <= 0) throw new ArgumentOutOfRangeException(nameof(slidingWindow), slidingWindow, "sliding_window must be positive.");
        var windowed = slidingWindow is { } w && l > w;
        if (t == 1 && attentionMask is null && !windowed) return null;
        var queries = arange(past, l, ScalarType.Int64).view(t, 1);
        var keysPos = arange(0, l, ScalarType.Int64).view(1, l);
        var allowed = keysPos.le(queries);                                                        // (T, L)
        if (windowed) allowed = allowed.logical_and(keysPos.gt(queries - slidingWindow!.Value));
        allowed = allowed.view(1, 1, t, l);
        if (attentionMask is not null)
            allowed = allowed.logical_and(attentionMask.ne(0).view(attentionMask.shape[0], 1, 1, l)); // (B, 1, T, L)
        return allowed.logical_not().to_type(dtype).mul_(MinValue(dtype));
    }

    /// <summary>
    /// Additive key-padding mask (B, 1, 1, T) for a bidirectional encoder: (1 − mask) · min. Null without a mask.
    /// </summary>
    public static Tensor? PaddingBias(Tensor? attentionMask, ScalarType dtype) => attentionMask is null
        ? null
        : attentionMask.eq(0).to_type(dtype).mul_(MinValue(dtype)).view(attentionMask.shape[0], 1, 1, attentionMask.shape[1]);

    /// <summary>Largest score matrix of one head (queries × keys) the attention kernel holds per thread (64 MB of fp32).</summary>
    public const long KernelMaxScoresPerHead = 16L << 20;

    /// <summary>Largest score matrix (batch × heads × queries × keys) inference computes eagerly (32 MB of fp32).</summary>
    public const long EagerMaxScores = 8L << 20;

    /// <summary>
    /// softmax(q·kᵀ/√d + bias)·v for q (B, nh, T, d) and k, v (B, n_kv, L, d) with nh a multiple of n_kv (grouped-query
    /// attention, https://arxiv.org/abs/2305.13245): the query heads of a group are folded into the query axis, so
    /// keys and values are never repeated. Returns (B, nh, T, d). A single new token (decode) takes the plain
    /// matmul–softmax–matmul path: for one query row the fused CPU kernel's thread fan-out costs more than it saves.
    /// So does inference whose score matrix has at most <see cref="EagerMaxScores"/> entries: libtorch's fused CPU kernel
    /// tiles short sequences poorly (an encoder batch of 32 × 105 tokens, 12 heads of 32: 21.6 ms fused, 9.7 ms
    /// eager; a 128-token prefill, 8 heads of 64: 0.71 vs 0.44 ms), and only long ones gain from never materialising
    /// the scores (4 × 512 tokens: 19 ms fused, 109 ms eager). Where the CPU has AVX-512, inference of several tokens
    /// takes <see cref="AttentionKernel"/> instead (one head per thread, scores never leave its cache). Training keeps
    /// the fused kernel and its memory profile.
    /// </summary>
    public static Tensor ScaledDotProduct(Tensor q, Tensor k, Tensor v, Tensor? bias)
    {
        var (b, nh, t, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3]);
        var nkv = k.shape[1];
        var rep = nh / nkv;
        var qg = rep == 1 ? q : q.reshape(b, nkv, rep * t, d);  // head h = g·rep + r → row r·T + t of group g
        var bg = bias is null || rep == 1 || t == 1 ? bias : bias.repeat(1, 1, rep, 1); // (B, 1, rep·T, L)
        var inference = !is_grad_enabled();
        Tensor y;
        if (inference && t > 1 && AttentionKernel.IsSupported && rep * t * k.shape[2] <= KernelMaxScoresPerHead
            && q.dtype == ScalarType.Float32 && k.dtype == ScalarType.Float32 && v.dtype == ScalarType.Float32
            && q.device_type == DeviceType.CPU && k.device_type == DeviceType.CPU && v.device_type == DeviceType.CPU)
            y = AttentionKernel.Forward(qg, k, v, bg, InferenceKernels.Team);
        else if (t == 1 || inference && b * nh * t * k.shape[2] <= EagerMaxScores)
            y = Eager(qg, k, v, bg);
        else
            y = nn.functional.scaled_dot_product_attention(qg, k, v, bg);
        return rep == 1 ? y : y.view(b, nh, t, d);
    }

    // softmax(q·kᵀ·scale + bias)·v as HF's eager attention computes it (softmax in float32).
    static Tensor Eager(Tensor q, Tensor k, Tensor v, Tensor? bias)
    {
        var scores = q.matmul(k.transpose(-2, -1)).mul_(1.0 / Math.Sqrt(q.shape[^1])); // (B, G, R, L)
        if (bias is not null) scores = scores.add_(bias);
        // 16-bit scores take their softmax in float32 (as HF); float64 (gradient checks) keeps its precision.
        var probs = scores.dtype is ScalarType.Float32 or ScalarType.Float64 ? scores.softmax(-1) : scores.softmax(-1, ScalarType.Float32).to_type(q.dtype);
        return probs.matmul(v);                                                           // (B, G, R, d)
    }
}
