using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models.Tests;

/// <summary>Proves the native libtorch loads on this machine (the build patches libLibTorchSharp.so where needed).</summary>
public class LibTorchLoadTests
{
    [Fact]
    public void MatmulAndBackwardRun()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4 }, 2, 2).requires_grad_(true);
        var b = tensor(new float[] { 5, 6, 7, 8 }, 2, 2);
        var c = matmul(a, b);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());
        c.sum().backward();
        Assert.Equal(new float[] { 11, 15, 11, 15 }, a.grad!.data<float>().ToArray());
    }
}
