using RagTune.Models.Architectures.Llama;
using static TorchSharp.torch;

namespace RagTune.Models.Tests.Architectures;

/// <summary>LlamaForSequenceClassification: HF names (<c>score</c>, no bias) and pooling at the last real token.</summary>
public class LlamaForSequenceClassificationTests
{
    [Fact]
    public void PoolsAtLastNonPadTokenForLeftAndRightPadding()
    {
        using var model = (ISequenceClassifier)ModelArchitectures.Create(TinyConfigs.Parse(TinyConfigs.LlamaClassifier));
        ((PretrainedModel)model).InitializeWeights(seed: 1, std: 0.2);
        var keys = model.Module.state_dict().Keys.ToList();
        Assert.Contains("score.weight", keys);
        Assert.DoesNotContain("score.bias", keys);
        Assert.Equal(2, model.NumLabels);

        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var alone = model.Forward(tensor(new long[] { 5, 6, 7 }, ScalarType.Int64).view(1, 3));
        var ids = tensor(new long[] { 5, 6, 7, 0, 0, /* left-padded: */ 0, 0, 5, 6, 7 }, ScalarType.Int64).view(2, 5);
        var mask = tensor(new long[] { 1, 1, 1, 0, 0, 0, 0, 1, 1, 1 }, ScalarType.Int64).view(2, 5);
        var batch = model.Forward(ids, mask);
        Assert.Equal(new long[] { 2, 2 }, batch.shape);
        Parity.AssertClose(batch[0].unsqueeze(0), alone, tolerance: 1e-5, what: "right-padded row");
        Parity.AssertClose(batch[1].unsqueeze(0), alone, tolerance: 1e-5, what: "left-padded row");
        Assert.IsType<LlamaForSequenceClassification>(model);
    }
}
