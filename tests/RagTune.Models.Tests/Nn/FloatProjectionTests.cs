using RagTune.Models.Kernels;
using RagTune.Models.Nn;
using static TorchSharp.torch;
using Linear = RagTune.Models.Nn.Linear;

namespace RagTune.Models.Tests.Nn;

/// <summary>
/// fp32 projections at inference take the AVX-512 GEMM from <see cref="FloatProjection.MinRows"/> rows on; with
/// gradients on, or fewer rows, libtorch's <c>linear</c>. Tolerance as in SgemmTests (only the order of fp32 additions
/// differs): 1e-5·Σ|wᵢxᵢ| + 1e-6 against a float64 reference.
/// </summary>
public class FloatProjectionTests
{
    [Theory]
    [InlineData(1, 16)]
    [InlineData(3, 35)]
    public void InferenceFromMinRowsOnEqualsTheFloat64Reference(int batch, int length)
    {
        var rows = batch * length;
        using var scope = NewDisposeScope();
        using var linear = Projection(inFeatures: 96, outFeatures: 70, seed: 1);
        var x = randn(batch, length, 96, generator: new Generator(2));
        using (inference_mode())
        {
            Assert.Equal(Sgemm.IsSupported, FloatProjection.Applies(linear, x.dtype, rows));
            var y = linear.call(x);
            Assert.Equal([.. x.shape[..^1], 70L], y.shape);
            var x64 = x.to_type(ScalarType.Float64);
            var expected = nn.functional.linear(x64, linear.weight.to_type(ScalarType.Float64), linear.bias!.to_type(ScalarType.Float64));
            var bound = x64.abs().matmul(linear.weight.abs().to_type(ScalarType.Float64).t()).mul_(1e-5).add_(1e-6);
            var excess = (y.to_type(ScalarType.Float64) - expected).abs().sub_(bound).max().item<double>();
            Assert.True(excess <= 0, $"{rows} rows: an output exceeds its bound by {excess}");
        }
    }

    [Fact]
    public void TrainingAndShortInputsKeepLibtorch()
    {
        using var scope = NewDisposeScope();
        using var linear = Projection(inFeatures: 32, outFeatures: 32, seed: 3);
        Assert.False(FloatProjection.Applies(linear, ScalarType.Float32, 64)); // gradients on
        using (no_grad())
        {
            Assert.False(FloatProjection.Applies(linear, ScalarType.Float32, FloatProjection.MinRows - 1));
            Assert.False(FloatProjection.Applies(linear, ScalarType.Float64, 64));
        }
        // Backward still reaches the weight through libtorch's autograd.
        var x = randn(64, 32, generator: new Generator(4));
        linear.call(x).sum().backward();
        Parity.AssertClose(linear.weight.grad!, ones(32, 64).matmul(x), tolerance: 1e-4, what: "weight gradient");
    }

    static Linear Projection(long inFeatures, long outFeatures, int seed)
    {
        var linear = new Linear(inFeatures, outFeatures, hasBias: true);
        using var _ = no_grad();
        var generator = new Generator((ulong)seed);
        linear.weight.copy_(randn(outFeatures, inFeatures, generator: generator).div_(Math.Sqrt(inFeatures)));
        linear.bias!.copy_(randn(outFeatures, generator: generator));
        return linear;
    }
}
