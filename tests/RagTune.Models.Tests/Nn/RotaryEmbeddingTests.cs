using System.Text.Json.Nodes;
using RagTune.Models.Nn;
using static TorchSharp.torch;

namespace RagTune.Models.Tests.Nn;

public class RotaryEmbeddingTests
{
    static JsonObject Scaling(string json) => JsonNode.Parse(json)!.AsObject();

    [Fact]
    public void LinearScalingDividesPositionsByFactor()
    {
        using var scope = NewDisposeScope();
        using var plain = new RotaryEmbedding(16, 10000, null, 64);
        using var linear = new RotaryEmbedding(16, 10000, Scaling("""{"rope_type": "linear", "factor": 2.0}"""), 64);
        var (c1, s1) = plain.Compute(tensor(new long[] { 3, 5 }).view(1, 2), ScalarType.Float32);
        var (c2, s2) = linear.Compute(tensor(new long[] { 6, 10 }).view(1, 2), ScalarType.Float32);
        Assert.True(c1.allclose(c2, 1e-5, 1e-6) && s1.allclose(s2, 1e-5, 1e-6));
    }

    [Fact]
    public void DynamicScalingIsPlainWithinTheTrainedLengthAndDiffersBeyond()
    {
        using var scope = NewDisposeScope();
        using var plain = new RotaryEmbedding(16, 10000, null, 32);
        using var dynamic = new RotaryEmbedding(16, 10000, Scaling("""{"type": "dynamic", "factor": 4.0}"""), 32);
        var inside = arange(0, 32, ScalarType.Int64).unsqueeze(0);
        Assert.True(plain.Compute(inside, ScalarType.Float32).Cos.equal(dynamic.Compute(inside, ScalarType.Float32).Cos).all().item<bool>());
        var beyond = arange(0, 100, ScalarType.Int64).unsqueeze(0);
        Assert.False(plain.Compute(beyond, ScalarType.Float32).Cos.allclose(dynamic.Compute(beyond, ScalarType.Float32).Cos));
    }

    [Fact]
    public void ApplyEqualsRotateHalfFormula()
    {
        using var scope = NewDisposeScope();
        using var rope = new RotaryEmbedding(8, 10000, null, 64);
        var x = randn(2, 3, 4, 8);                                     // (B, nh, T, d)
        var positions = tensor(new long[] { 0, 1, 2, 3, 7, 8, 9, 10 }).view(2, 4);
        var (cos, signedSin) = rope.Compute(positions, ScalarType.Float32);
        var sin = cat([signedSin.narrow(-1, 4, 4), signedSin.narrow(-1, 4, 4)], -1);
        var rotateHalf = cat([x.narrow(-1, 4, 4).neg(), x.narrow(-1, 0, 4)], -1);
        var expected = x * cos + rotateHalf * sin;
        Assert.True(RotaryEmbedding.Apply(x, cos, signedSin).allclose(expected, 0, 1e-6));
        Assert.Throws<ModelLoadException>(() => new RotaryEmbedding(8, 10000, Scaling("""{"rope_type": "yarn", "factor": 2.0}"""), 64));
    }
}
