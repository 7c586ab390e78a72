using RagTune.Models.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models.Tests.Kernels;

public class DecodeGemvTests
{
    [Theory]
    [InlineData(1, 37, 64)]
    [InlineData(3, 130, 96)]
    [InlineData(8, 8, 576)]
    public void MatchesLinearInFp32AndBf16(int n, int rows, int cols)
    {
        using var scope = NewDisposeScope();
        using var _ = inference_mode();
        var x = randn(n, cols);
        var w = randn(rows, cols);
        Assert.True(DecodeGemv.Supports(x, w));
        var expected = nn.functional.linear(x, w);
        var diff = (DecodeGemv.Multiply(x, w) - expected).abs().max().item<float>();
        Assert.True(diff < 1e-4f, $"fp32 max diff {diff}");

        var wb = w.to_type(ScalarType.BFloat16);
        var expectedBf16 = nn.functional.linear(x, wb.to_type(ScalarType.Float32));
        var diffBf16 = (DecodeGemv.Multiply(x, wb) - expectedBf16).abs().max().item<float>();
        Assert.True(diffBf16 < 1e-4f, $"bf16 max diff {diffBf16}");
    }

    [Fact]
    public void RejectsShapesItDoesNotHandle()
    {
        using var scope = NewDisposeScope();
        Assert.False(DecodeGemv.Supports(randn(9, 64), randn(10, 64)));
        Assert.False(DecodeGemv.Supports(randn(1, 60), randn(10, 60)));
        Assert.False(DecodeGemv.Supports(randn(1, 64), randn(64, 10).t()));
    }
}
