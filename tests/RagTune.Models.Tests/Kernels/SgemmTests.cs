using RagTune.Models.Kernels;
using static TorchSharp.torch;

namespace RagTune.Models.Tests.Kernels;

/// <summary>
/// The AVX-512 GEMM against a float64 reference. Tolerance as in LowPrecisionProjectionTests: the kernel multiplies the
/// same fp32 values and only orders the fp32 additions differently, so each output may differ by ≈ k·2⁻²⁴·Σ|wᵢxᵢ| at
/// worst; the bound asserted is 1e-5·Σ|wᵢxᵢ| + 1e-6 (k ≤ 800 here), while a wrong row, column, panel or k block is
/// off by the size of the value itself.
/// </summary>
public unsafe class SgemmTests
{
    [Theory]
    [InlineData(1, 1, 1, true)]
    [InlineData(12, 32, 16, true)]      // exactly one micro-tile
    [InlineData(13, 33, 7, true)]       // one row and one column past a tile
    [InlineData(11, 31, 384, false)]    // short of a tile in both directions, no bias
    [InlineData(97, 100, 385, true)]    // two k blocks (384 + 1), ragged row block and panel
    [InlineData(200, 64, 800, true)]    // three k blocks; row blocks of 72, 72 and 56 rows
    [InlineData(128, 200, 136, true)]   // a prefill: two row blocks (72 + 56), a last panel of 8 columns
    [InlineData(40, 1152, 96, true)]    // few rows, many panels: the columns are split between work items
    public void EqualsAFloat64ReferenceOnEveryShape(int m, int n, int k, bool withBias)
    {
        if (!Sgemm.IsSupported)
        {
            Assert.Throws<PlatformNotSupportedException>(() => Sgemm.Linear(null, null, null, null, 1, 1, 1));
            return;
        }
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)(m * 1_000_003 + n * 1009 + k));
        var x = randn(m, k, generator: generator);
        var w = randn(n, k, generator: generator);
        var bias = withBias ? randn(n, generator: generator) : null;
        var expected = nn.functional.linear(x.to_type(ScalarType.Float64), w.to_type(ScalarType.Float64), bias?.to_type(ScalarType.Float64));
        var bound = x.abs().to_type(ScalarType.Float64).matmul(w.abs().to_type(ScalarType.Float64).t()).mul_(1e-5).add_(1e-6);

        foreach (var threads in new[] { 1, 2 })
        {
            // Sentinels after the output: the kernel must write exactly m × n floats.
            var buffer = full(m * n + 64, float.NaN);
            // The shared team, not a team of our own: threads that exit hand their malloc arenas to the next new
            // thread, and a test measuring page faults (NativeHeapTests) must not inherit them.
            var team = threads == 1 ? null : DecodeTeam.Shared;
            Sgemm.Linear(TensorMemory.Pointer<float>(x), TensorMemory.Pointer<float>(w), bias is null ? null : TensorMemory.Pointer<float>(bias),
                    TensorMemory.Pointer<float>(buffer), m, n, k, team);
            var y = buffer.narrow(0, 0, m * n).view(m, n).to_type(ScalarType.Float64);
            var excess = (y - expected).abs().sub_(bound).max().item<double>();
            Assert.True(excess <= 0, $"{m}×{n}×{k}, {threads} thread(s): an output exceeds its bound by {excess}");
            Assert.True(buffer.narrow(0, m * n, 64).isnan().all().item<bool>(), "the kernel wrote past the output");
        }
    }

    [Fact]
    public void RowsAreIndependentOfTheirNeighbours()
    {
        // A row computed alone equals the same row inside a larger product: padding rows of a micro-tile never leak.
        if (!Sgemm.IsSupported) return;
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        var (x, w) = (randn(30, 64, generator: generator), randn(48, 64, generator: generator));
        var all = empty(30, 48);
        var alone = empty(1, 48);
        Sgemm.Linear(TensorMemory.Pointer<float>(x), TensorMemory.Pointer<float>(w), null, TensorMemory.Pointer<float>(all), 30, 48, 64);
        var row = x.narrow(0, 29, 1).contiguous();
        Sgemm.Linear(TensorMemory.Pointer<float>(row), TensorMemory.Pointer<float>(w), null, TensorMemory.Pointer<float>(alone), 1, 48, 64);
        Assert.True(all.narrow(0, 29, 1).eq(alone).all().item<bool>());
    }

    [Fact]
    public void AnInOutWeightGivesTheSameBitsAsItsTranspose()
    {
        // GPT-2's Conv1D stores W as [in, out]; packed, both layouts are the same panels, so the results are identical.
        if (!Sgemm.IsSupported) return;
        using var scope = NewDisposeScope();
        var generator = new Generator(6);
        var (x, w, b) = (randn(50, 70, generator: generator), randn(45, 70, generator: generator), randn(45, generator: generator));
        var inOut = w.t().contiguous();
        var (expected, actual) = (empty(50, 45), empty(50, 45));
        Sgemm.Linear(TensorMemory.Pointer<float>(x), TensorMemory.Pointer<float>(w), TensorMemory.Pointer<float>(b), TensorMemory.Pointer<float>(expected), 50, 45, 70);
        Sgemm.Linear(TensorMemory.Pointer<float>(x), TensorMemory.Pointer<float>(inOut), TensorMemory.Pointer<float>(b), TensorMemory.Pointer<float>(actual), 50, 45, 70, weightInOut: true);
        Assert.True(actual.eq(expected).all().item<bool>());
    }
}
