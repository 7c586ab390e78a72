using RagTune.Models.Generation;
using static TorchSharp.torch;

namespace RagTune.Models.Tests.Generation;

public class TokenSamplerTests
{
    [Fact]
    public void RepetitionPenaltyDividesPositiveAndMultipliesNegativeLogits()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 2f, -2f, 1f, 0.5f }, 1, 4);
        var seen = tensor(new long[] { 0, 1, 1 }, 1, 3);
        var result = TokenSampler.Penalize(logits, seen, 2f).data<float>().ToArray();
        Assert.Equal(new[] { 1f, -4f, 1f, 0.5f }, result);
    }

    [Fact]
    public void TopKKeepsTheKLargest()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 1f, 4f, 3f, 2f }, 1, 4);
        var result = TokenSampler.TopK(logits, 2).data<float>().ToArray();
        Assert.Equal(new[] { float.NegativeInfinity, 4f, 3f, float.NegativeInfinity }, result);
    }

    [Fact]
    public void TopPKeepsTheSmallestNucleusAndAlwaysTheBestToken()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 0.15f, 0.5f, 0.05f, 0.3f }, 1, 4).log();
        var kept = TokenSampler.TopP(logits, 0.75f).data<float>().Select(float.IsFinite).ToArray();
        Assert.Equal(new[] { false, true, false, true }, kept);
        var best = TokenSampler.TopP(logits, 0.01f).data<float>().Select(float.IsFinite).ToArray();
        Assert.Equal(new[] { false, true, false, false }, best);
    }

    [Fact]
    public void SameSeedSameDrawsDifferentSeedDifferentDraws()
    {
        using var scope = NewDisposeScope();
        var logits = zeros(4, 64); // uniform: every draw is pure chance
        long[] Draws(long seed)
        {
            using var sampler = new TokenSampler(new GenerationOptions { Temperature = 1f, Seed = seed });
            return Enumerable.Range(0, 8).SelectMany(_ => sampler.Next(logits, null).data<long>().ToArray()).ToArray();
        }
        Assert.Equal(Draws(42), Draws(42));
        Assert.NotEqual(Draws(42), Draws(43));
    }

    [Fact]
    public void GreedyIsArgmaxAndSamplingRespectsTopK()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 0f, 3f, 2.9f, 1f, 3.1f, -1f }, 1, 6);
        using (var greedy = new TokenSampler(new GenerationOptions()))
            Assert.Equal(4L, greedy.Next(logits, null).item<long>());
        using var topK = new TokenSampler(new GenerationOptions { Temperature = 5f, TopK = 2, Seed = 1 });
        for (var i = 0; i < 50; i++) Assert.Contains(topK.Next(logits, null).item<long>(), new long[] { 1, 4 });
    }
}
