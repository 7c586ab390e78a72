using RagTune.Models.Architectures.Bert;
using RagTune.Models.Nn;
using static TorchSharp.torch;

namespace RagTune.Models.Tests.Architectures;

/// <summary>The fused q/k/v GEMM of long inputs against the three separate projections, forward and backward.</summary>
public sealed class BertFusedProjectionTests
{
    [Fact]
    public void FusedQkvMatchesThreeProjectionsWithPaddingAndGivesTheSameGradients()
    {
        using var reference = new Parity("bert/base-model");
        using var model = (BertModel)ModelLoader.LoadEncoder(reference.Dir);
        var self = ((BertLayer)model.Blocks[0]).attention.self;
        using var scope = NewDisposeScope();
        var gen = new Generator(5);
        var x = randn([3, 7, model.Config.HiddenSize], generator: gen);
        var mask = tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, /**/ 1, 1, 1, 1, 0, 0, 0, /**/ 1, 1, 0, 0, 0, 0, 0 }, [3, 7]);
        var bias = AttentionOps.PaddingBias(mask, ScalarType.Float32);
        var probe = randn([3, 7, model.Config.HiddenSize], generator: gen);
        Linear[] projections = [self.query, self.key, self.value];
        foreach (var p in projections) { p.weight.requires_grad_(true); p.bias!.requires_grad_(true); }

        (Tensor Output, Tensor[] Grads) Run(bool fuse)
        {
            foreach (var p in projections) { p.weight.grad?.zero_(); p.bias!.grad?.zero_(); }
            var y = self.Forward(x, bias, fuse);
            y.mul(probe).sum().backward();
            return (y.detach().clone(), projections.SelectMany(p => new[] { p.weight.grad!.clone(), p.bias!.grad!.clone() }).ToArray());
        }

        var (fused, fusedGrads) = Run(fuse: true);
        var (plain, plainGrads) = Run(fuse: false);
        var maxDiff = (fused - plain).abs().max().item<float>();
        Assert.True(maxDiff < 1e-5f, $"fused q/k/v output differs by {maxDiff}");
        for (var i = 0; i < plainGrads.Length; i++)
        {
            var gradDiff = (fusedGrads[i] - plainGrads[i]).abs().max().item<float>();
            Assert.True(gradDiff < 1e-4f, $"gradient {i} (query/key/value weight/bias) differs by {gradDiff}");
            Assert.True(plainGrads[i].abs().sum().item<float>() > 0, $"gradient {i} is zero: the check would prove nothing");
        }
    }
}
