using RagTune.Models.Kernels;
using RagTune.Models.Nn;
using static TorchSharp.torch;

namespace RagTune.Models.Tests.Kernels;

/// <summary>
/// The attention kernel against softmax(q·kᵀ/√d + bias)·v in float64. Outputs are convex combinations of v's rows
/// (|v| ≲ 4 here) whose fp32 weights differ from float64 by a few ulp, so 1e-5 separates rounding from a wrong head,
/// row, mask or scale (each off by ~0.1 or more).
/// </summary>
public class AttentionKernelTests
{
    public static TheoryData<int, int, int, int, int, string> Shapes => new()
    {
        { 2, 3, 7, 7, 32, "padding" },     // encoder batch: keys masked per sequence
        { 1, 2, 5, 12, 64, "causal" },     // prefill after a 7-token past: the bias has a row per query
        { 3, 1, 16, 16, 16, "none" },
        { 2, 4, 33, 33, 48, "padding" },   // d not a multiple of 32: a ragged output panel
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EqualsTheFloat64Reference(int b, int g, int t, int l, int d, string mask)
    {
        if (!AttentionKernel.IsSupported) return;
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)(b * 1000 + t * 10 + d));
        var (q, k, v) = (randn(b, g, t, d, generator: generator), randn(b, g, l, d, generator: generator), randn(b, g, l, d, generator: generator));
        Tensor? bias = mask switch
        {
            "padding" => AttentionOps.PaddingBias(PaddingMask(b, l), ScalarType.Float32),
            "causal" => AttentionOps.CausalBias(null, t, l - t, ScalarType.Float32),
            _ => null,
        };
        var actual = AttentionKernel.Forward(q, k, v, bias, DecodeTeam.Shared);
        AssertClose(actual, Reference(q, k, v, bias), $"{mask} b{b} g{g} t{t} l{l} d{d}");
    }

    [Fact]
    public void ScaledDotProductAtInferenceEqualsTheFusedKernelWithGroupedQueries()
    {
        // AttentionOps folds 4 query heads onto 2 key/value heads; inference takes this kernel, training libtorch's.
        using var scope = NewDisposeScope();
        var generator = new Generator(9);
        var (q, k, v) = (randn(2, 4, 6, 32, generator: generator), randn(2, 2, 6, 32, generator: generator), randn(2, 2, 6, 32, generator: generator));
        var bias = AttentionOps.CausalBias(PaddingMask(2, 6), 6, 0, ScalarType.Float32);
        var expected = nn.functional.scaled_dot_product_attention(q, k.repeat_interleave(2, 1), v.repeat_interleave(2, 1), bias);
        using (inference_mode())
            AssertClose(AttentionOps.ScaledDotProduct(q, k, v, bias), expected, "grouped-query inference");
    }

    static Tensor PaddingMask(int b, int l)
    {
        var mask = ones(b, l, ScalarType.Int64);
        for (var i = 1; i < b; i++) mask[i, TensorIndex.Slice(l - 2 * i)] = 0; // sequence i has 2i padded positions at the end
        return mask;
    }

    static Tensor Reference(Tensor q, Tensor k, Tensor v, Tensor? bias)
    {
        var scores = q.to_type(ScalarType.Float64).matmul(k.to_type(ScalarType.Float64).transpose(-2, -1)).div_(Math.Sqrt(q.shape[^1]));
        if (bias is not null) scores = scores.add(bias.to_type(ScalarType.Float64));
        return scores.softmax(-1).matmul(v.to_type(ScalarType.Float64));
    }

    static void AssertClose(Tensor actual, Tensor expected, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        var diff = (actual.to_type(ScalarType.Float64) - expected.to_type(ScalarType.Float64)).abs().max().item<double>();
        Assert.True(diff < 1e-5, $"{what}: max |Δ| = {diff}");
    }
}
