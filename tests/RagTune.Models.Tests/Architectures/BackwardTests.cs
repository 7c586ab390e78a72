using RagTune.Tests;
using static TorchSharp.torch;

namespace RagTune.Models.Tests.Architectures;

/// <summary>Gradients reach every parameter (the trainer's contract): no in-place op breaks autograd.</summary>
public class BackwardTests
{
    [Theory]
    [InlineData("llama3-style")]
    [InlineData("gpt2")]
    [InlineData("bert/sequence-classification")]
    public void EveryParameterGetsAGradient(string fixture)
    {
        using var model = ModelLoader.Load(TestPaths.Parity(fixture));
        model.train();
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 3, 17, 42, 99, 5, 6 }, ScalarType.Int64).view(1, 6);
        var output = model switch
        {
            ICausalLanguageModel lm => lm.Forward(ids),
            ISequenceClassifier c => c.Forward(ids),
            _ => throw new InvalidOperationException(),
        };
        output.square().mean().backward();
        foreach (var (name, p) in model.named_parameters())
        {
            Assert.True(p.grad is not null, $"{fixture}: {name} has no gradient");
            Assert.True(p.grad!.abs().sum().item<float>() > 0, $"{fixture}: {name} has a zero gradient");
        }
    }
}
