using RagTune.Models.Architectures.Llama;
using RagTune.Models.Kernels;
using RagTune.Models.Tests.Architectures;
using static TorchSharp.torch;
using Linear = RagTune.Models.Nn.Linear;

namespace RagTune.Models.Tests.Nn;

/// <summary>
/// The inference paths of bf16 / int8-block projections (matrix–vector products for ≤ 8 rows, a reused widening buffer
/// for more) against the reference: libtorch's <c>linear</c> with the weight widened into a fresh fp32 tensor.
/// <para>
/// Tolerance: both sides multiply the same fp32 values (widening bf16 is exact and int8 · scale is one rounded product
/// on both sides), so they differ only in the order of the fp32 additions. Reordering n terms changes a sum by at most
/// ≈ n·2⁻²⁴·Σ|wᵢxᵢ|; the bound asserted is 1e-5·Σ|wᵢxᵢ| per output (n ≤ 192 here, so n·2⁻²⁴ ≤ 1.2e-5 in the worst case,
/// and such adversarial cancellation does not happen with random data), while a wrong row, block or scale is off by the
/// size of the value itself.
/// </para>
/// </summary>
public class LowPrecisionProjectionTests
{
    [Theory]
    [InlineData(ScalarType.BFloat16, 1)]
    [InlineData(ScalarType.BFloat16, 8)]    // the last row count the matrix–vector path takes
    [InlineData(ScalarType.BFloat16, 37)]   // widened into the buffer, one GEMM
    [InlineData(ScalarType.Int8, 3)]
    [InlineData(ScalarType.Int8, 37)]
    public void InferenceEqualsLinearOnTheWidenedWeight(ScalarType stored, int rows)
    {
        using var scope = NewDisposeScope();
        using var linear = Projection(stored, inFeatures: 192, outFeatures: 70, seed: 1);
        using var scratch = new WidenedWeightScratch();
        linear.WideningScratch = scratch;
        var x = randn(1, rows, 192, generator: new Generator(2));
        var (expected, bound) = Reference(linear, x);

        using (inference_mode())
            AssertWithin(linear.call(x), expected, bound, $"{stored}, {rows} rows");
        Assert.Equal(rows > 8 ? 70 * 192 : 0, scratch.Capacity); // only the GEMM path widens, into the shared buffer
    }

    [Theory]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Int8)]
    public void AWeightLargerThanTheBufferGoesInSlicesOfOutputRows(ScalarType stored)
    {
        using var scope = NewDisposeScope();
        using var linear = Projection(stored, inFeatures: 64, outFeatures: 50, seed: 3);
        using var scratch = new WidenedWeightScratch(maxElements: 64 * 16); // 16 rows per slice: 16 + 16 + 16 + 2
        linear.WideningScratch = scratch;
        var x = randn(20, 64, generator: new Generator(4));
        var (expected, bound) = Reference(linear, x);

        using (no_grad())
            AssertWithin(linear.call(x), expected, bound, $"{stored} in slices");
        Assert.Equal(64 * 16, scratch.Capacity);
    }

    [Fact]
    public void ABufferRentedElsewhereMakesTheCallWidenIntoItsOwnTemporary()
    {
        using var scope = NewDisposeScope();
        using var linear = Projection(ScalarType.Int8, inFeatures: 64, outFeatures: 24, seed: 5);
        using var scratch = new WidenedWeightScratch();
        linear.WideningScratch = scratch;
        var x = randn(16, 64, generator: new Generator(6));
        var (expected, bound) = Reference(linear, x);

        var held = scratch.TryRent(4); // another thread's projection of the same model
        Assert.NotNull(held);
        held!.fill_(float.NaN);
        using (no_grad())
            AssertWithin(linear.call(x), expected, bound, "while the buffer is rented");
        Assert.True(held.isnan().all().item<bool>(), "the call wrote into a buffer another caller holds");
        Assert.Null(scratch.TryRent(4));
        scratch.Return();
        Assert.NotNull(scratch.TryRent(64 * 24));
        scratch.Return();
    }

    [Fact]
    public void DisposingWhileRentedLeavesTheFreeingToTheRenter()
    {
        var scratch = new WidenedWeightScratch();
        Assert.NotNull(scratch.TryRent(100));
        scratch.Dispose(); // must not wait for the renter (a model disposed while another thread prefills)
        Assert.Equal(100, scratch.Capacity);
        scratch.Return();
        Assert.Equal(0, scratch.Capacity);
        Assert.Null(scratch.TryRent(100)); // disposed: callers widen into temporaries
    }

    [Fact]
    public void WithGradientsTwoProjectionsSharingABufferStillGetTheirOwnWeightsInBackward()
    {
        // Backward multiplies by the weights saved in forward; a buffer reused by the next projection would hand the
        // first one the second one's weights. With gradients on, the buffer must not be used.
        using var scope = NewDisposeScope();
        using var first = Projection(ScalarType.BFloat16, inFeatures: 32, outFeatures: 32, seed: 7);
        using var second = Projection(ScalarType.BFloat16, inFeatures: 32, outFeatures: 32, seed: 8);
        using var scratch = new WidenedWeightScratch();
        (first.WideningScratch, second.WideningScratch) = (scratch, scratch);
        var x = randn(12, 32, generator: new Generator(9)).requires_grad_();
        second.call(first.call(x)).sum().backward();

        var (w1, w2) = (first.weight.to_type(ScalarType.Float32), second.weight.to_type(ScalarType.Float32));
        var expected = ones(12, 32).matmul(w2).matmul(w1); // d/dx of sum(x·W1ᵀ·W2ᵀ)
        Parity.AssertClose(x.grad!, expected, tolerance: 1e-4, what: "input gradient");
        Assert.Equal(0, scratch.Capacity);
    }

    [Theory]
    [InlineData(WeightPrecision.Bf16)]
    [InlineData(WeightPrecision.Int8)]
    public void APrefillWithTheSharedBufferEqualsPerCallWidening(WeightPrecision precision)
    {
        using var scope = NewDisposeScope();
        using var model = (LlamaForCausalLM)ModelArchitectures.Create(TinyConfigs.Parse(TinyConfigs.Qwen2)); // biases, tied head
        model.InitializeWeights(seed: 11, std: 0.3);
        Assert.True(ReducedPrecision.Apply(model, precision) > 0);
        var linears = model.modules().OfType<Linear>().ToList();
        var scratch = linears[0].WideningScratch;
        Assert.NotNull(scratch);
        Assert.All(linears, l => Assert.Same(scratch, l.WideningScratch)); // one buffer per model
        var ids = randint(0, 96, [2, 20], generator: new Generator(12));

        using (inference_mode())
        {
            var shared = model.Forward(ids);
            var last = model.ForwardLastPosition(ids);
            foreach (var l in linears) l.WideningScratch = null; // per-call widening, as before the buffer
            var perCall = model.Forward(ids);
            Parity.AssertClose(shared, perCall, tolerance: 1e-5, what: $"{precision} prefill logits");
            // The last position's head runs as a matrix–vector product on the stored weights (other summation order).
            Parity.AssertClose(last, perCall.narrow(1, 19, 1), tolerance: 1e-4, what: $"{precision} last-position logits");
        }
        Assert.Equal(new long[] { 2, 1, 96 }, model.ForwardLastPosition(ids).shape);
        Assert.True(scratch!.Capacity >= 64 * 32);
    }

    static Linear Projection(ScalarType stored, int inFeatures, int outFeatures, ulong seed)
    {
        var linear = new Linear(inFeatures, outFeatures, hasBias: true);
        using (no_grad())
        {
            linear.weight.copy_(randn(outFeatures, inFeatures, generator: new Generator(seed)));
            linear.bias!.copy_(randn(outFeatures, generator: new Generator(seed + 100)));
        }
        if (stored == ScalarType.Int8) linear.QuantizeToInt8();
        else linear.StoreAs(stored);
        return linear;
    }

    /// <summary>linear(x, fresh fp32 widening of the weight, bias) and Σ|wᵢxᵢ| per output, the scale of its rounding.</summary>
    static (Tensor Expected, Tensor Bound) Reference(Linear linear, Tensor x)
    {
        using var _ = no_grad();
        var wide = linear.weight_scale is null ? linear.weight.to_type(ScalarType.Float32) : linear.Dequantized(ScalarType.Float32);
        return (nn.functional.linear(x, wide, linear.bias!.to_type(ScalarType.Float32)), nn.functional.linear(x.abs(), wide.abs()));
    }

    static void AssertWithin(Tensor actual, Tensor expected, Tensor bound, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        var excess = ((actual - expected).abs() - (bound * 1e-5 + 1e-6)).max().item<float>();
        Assert.True(excess <= 0, $"{what}: |Δ| exceeds 1e-5·Σ|w·x| by {excess:E3}");
    }
}
