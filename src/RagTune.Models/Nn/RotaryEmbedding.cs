using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models.Nn;

/// <summary>
/// Rotary position embedding (RoFormer, https://arxiv.org/abs/2104.09864) in Hugging Face's rotate_half layout:
/// x' = x·cos(θ·p) + rotate_half(x)·sin(θ·p), θ_i = base^(−2i/d), frequencies repeated over both halves.
/// Supports <c>rope_scaling</c> types <c>default</c>, <c>linear</c>, <c>dynamic</c> (NTK) and <c>llama3</c>
/// (https://arxiv.org/abs/2407.21783, §3.3 / HF <c>_compute_llama3_parameters</c>).
/// </summary>
public sealed class RotaryEmbedding : IDisposable
{
    readonly Tensor invFreq; // (d/2) float32
    readonly int dim;
    readonly double theta;
    readonly string ropeType;
    readonly double factor;
    readonly int originalMaxPositions;

    /// <summary>Builds the frequencies from a model config (<c>rope_theta</c>, <c>rope_scaling</c>, head_dim).</summary>
    public RotaryEmbedding(ModelConfig config) : this(config.HeadDim, config.RopeTheta, config.RopeScaling, config.MaxPositionEmbeddings) { }

    /// <summary>Builds the frequencies.</summary>
    /// <param name="dim">Rotated size (head dim).</param>
    /// <param name="theta">Base θ.</param>
    /// <param name="scaling">The config's <c>rope_scaling</c> object, or null.</param>
    /// <param name="maxPositions"><c>max_position_embeddings</c> (for dynamic scaling).</param>
    public RotaryEmbedding(int dim, double theta, JsonObject? scaling, int maxPositions)
    {
        this.dim = dim;
        this.theta = theta;
        ropeType = (scaling?["rope_type"] ?? scaling?["type"])?.GetValue<string>() ?? "default";
        factor = scaling?["factor"]?.GetValue<double>() ?? 1.0;
        originalMaxPositions = maxPositions;
        using var scope = NewDisposeScope();
        var inv = BaseInvFreq(dim, theta);
        inv = ropeType switch
        {
            "default" => inv,
            "linear" => inv / factor, // positions / factor
            "dynamic" => inv,         // recomputed per call beyond max_position_embeddings
            "llama3" => Llama3(inv, scaling!),
            // A GGUF file's rope_freqs tensor: llama.cpp divides each base frequency by its factor.
            "frequency_factors" => inv / tensor(scaling!["factors"]!.AsArray().Select(f => f!.GetValue<float>()).ToArray()),
            _ => throw new ModelLoadException(
                $"rope_scaling type '{ropeType}' is not supported (supported: default, linear, dynamic, llama3, frequency_factors)."),
        };
        invFreq = inv.MoveToOuterDisposeScope();
        invFreq.DetachFromDisposeScope();
    }

    /// <summary>Whether the frequencies depend on the sequence length (<c>dynamic</c> NTK scaling).</summary>
    public bool IsDynamic => ropeType == "dynamic";

    /// <summary>The inverse frequencies θ_i (float32, length d/2).</summary>
    public Tensor InverseFrequencies => invFreq;

    // HF: 1 / base^(arange(0, d, 2).float() / d), in float32.
    static Tensor BaseInvFreq(int dim, double theta) =>
        pow(tensor((float)theta), arange(0, dim, 2, ScalarType.Int64).to_type(ScalarType.Float32) / dim).reciprocal();

    // Llama 3.1: keep high frequencies, divide low frequencies by `factor`, interpolate smoothly in between.
    static Tensor Llama3(Tensor inv, JsonObject s)
    {
        var factor = s["factor"]!.GetValue<double>();
        var low = s["low_freq_factor"]!.GetValue<double>();
        var high = s["high_freq_factor"]!.GetValue<double>();
        var oldContext = s["original_max_position_embeddings"]!.GetValue<double>();
        var lowFreqWavelen = oldContext / low;
        var highFreqWavelen = oldContext / high;
        var wavelen = 2 * Math.PI / inv;
        var llama = where(wavelen > lowFreqWavelen, inv / factor, inv);
        var smooth = (oldContext / wavelen - low) / (high - low);
        var smoothed = (1 - smooth) * llama / factor + smooth * llama;
        var isMedium = (wavelen < highFreqWavelen).logical_not().logical_and((wavelen > lowFreqWavelen).logical_not());
        return where(isMedium, smoothed, llama);
    }

    /// <summary>
    /// Tables (B, 1, T, d) for <paramref name="positionIds"/> (B, T), in <paramref name="dtype"/>: cos(θ·p), and
    /// sin(θ·p) with its first half negated — the sign of rotate_half folded in, so that <see cref="Apply"/> needs one roll.
    /// </summary>
    public (Tensor Cos, Tensor SignedSin) Compute(Tensor positionIds, ScalarType dtype)
    {
        var inv = invFreq;
        if (ropeType == "dynamic")
        {
            var seqLen = positionIds.max().item<long>() + 1;
            if (seqLen > originalMaxPositions)
            {
                // NTK-aware: grow the base with the sequence length (HF _compute_dynamic_ntk_parameters).
                var b = theta * Math.Pow(factor * seqLen / originalMaxPositions - (factor - 1), dim / (dim - 2.0));
                inv = BaseInvFreq(dim, b);
            }
        }
        var freqs = positionIds.to_type(ScalarType.Float32).unsqueeze(-1).mul(inv).unsqueeze(1); // (B, 1, T, d/2)
        var cos = freqs.cos();
        var sin = freqs.sin();
        var cosFull = cat([cos, cos], -1);                                                        // (B, 1, T, d)
        var signedSin = cat([sin.neg(), sin], -1);
        return dtype == ScalarType.Float32 ? (cosFull, signedSin) : (cosFull.to_type(dtype), signedSin.to_type(dtype));
    }

    /// <summary>
    /// Rotates <paramref name="x"/> (B, nh, T, d) with tables from <see cref="Compute"/>: x·cos + rotate_half(x)·sin, where
    /// rotate_half(x)·sin = roll(x, d/2)·signedSin (rotate_half(x) = [−x₂, x₁]).
    /// </summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor signedSin) =>
        x.mul(cos).add_(x.roll(x.shape[^1] / 2, -1).mul_(signedSin));

    /// <summary>Frees the frequency table.</summary>
    public void Dispose() => invFreq.Dispose();
}
