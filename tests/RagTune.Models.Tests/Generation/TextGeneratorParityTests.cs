using RagTune.Models.Generation;
using RagTune.Tests;

namespace RagTune.Models.Tests.Generation;

/// <summary>TextGenerator on the parity fixtures: HF greedy ids, cache vs recompute, padded batches, seeds.</summary>
public class TextGeneratorParityTests
{
    static (ICausalLanguageModel Model, int[] Prompt, int[] Expected) Load(string name)
    {
        using var parity = new Parity(name);
        var prompt = parity["generation_prompt_ids"].data<long>().Select(i => (int)i).ToArray();
        var output = parity["generation_output_ids"].data<long>().Select(i => (int)i).ToArray();
        return (ModelLoader.LoadCausalLanguageModel(parity.Dir), prompt, output[prompt.Length..]);
    }

    [Theory]
    [InlineData("llama3-style")]
    [InlineData("gpt2")]
    public void GreedyMatchesHuggingFaceGenerate(string fixture)
    {
        var (model, prompt, expected) = Load(fixture);
        using var _ = model;
        var result = new TextGenerator(model).Generate(prompt, new GenerationOptions { MaxNewTokens = 16 });
        Assert.Equal(expected, result.TokenIds);
        Assert.Equal(GenerationFinishReason.Length, result.FinishReason);
    }

    [Theory]
    [InlineData("llama3-style")]
    [InlineData("gpt2")]
    public void KvCacheEqualsFullRecompute(string fixture)
    {
        var (model, prompt, _) = Load(fixture);
        using var _m = model;
        var generator = new TextGenerator(model);
        var options = new GenerationOptions { MaxNewTokens = 24, StopTokenIds = [] };
        var cached = generator.Generate(prompt, options);
        var recomputed = generator.Generate(prompt, options with { UseKvCache = false });
        Assert.Equal(recomputed.TokenIds, cached.TokenIds);
        Assert.Equal(24, cached.TokenIds.Count);
    }

    [Theory]
    [InlineData("llama3-style")]
    [InlineData("gpt2")]
    public void LeftPaddedBatchEqualsOnePromptAtATime(string fixture)
    {
        var (model, prompt, _) = Load(fixture);
        using var _m = model;
        var generator = new TextGenerator(model);
        IReadOnlyList<int>[] prompts = [prompt, prompt[3..], [.. prompt[..2], 7, 300, 42]];
        var options = new GenerationOptions { MaxNewTokens = 12, StopTokenIds = [] };
        var batched = generator.GenerateBatch(prompts, options);
        for (var i = 0; i < prompts.Length; i++)
            Assert.Equal(generator.Generate(prompts[i], options).TokenIds, batched[i].TokenIds);
    }

    [Fact]
    public void SampledGenerationIsReproducibleWithASeed()
    {
        var (model, prompt, _) = Load("llama3-style");
        using var _m = model;
        var generator = new TextGenerator(model);
        var options = new GenerationOptions { MaxNewTokens = 20, Temperature = 1.5f, TopK = 50, TopP = 0.95f, Seed = 1234, StopTokenIds = [] };
        var first = generator.Generate(prompt, options).TokenIds;
        Assert.Equal(first, generator.Generate(prompt, options).TokenIds);
        Assert.NotEqual(first, generator.Generate(prompt, options with { Seed = 99 }).TokenIds);
        var greedy = generator.Generate(prompt, new GenerationOptions { MaxNewTokens = 20, StopTokenIds = [] }).TokenIds;
        Assert.NotEqual(greedy, first);
    }

    [Fact]
    public void RepetitionPenaltyChangesGreedyOutputAwayFromRepeats()
    {
        var (model, prompt, _) = Load("llama3-style");
        using var _m = model;
        var generator = new TextGenerator(model);
        var plain = generator.Generate(prompt, new GenerationOptions { MaxNewTokens = 16, StopTokenIds = [] }).TokenIds;
        var penalized = generator.Generate(prompt, new GenerationOptions { MaxNewTokens = 16, StopTokenIds = [], RepetitionPenalty = 100f }).TokenIds;
        // A huge penalty forbids every token already present, so no generated token repeats the prompt or itself.
        Assert.Equal(penalized.Count, penalized.Distinct().Count());
        Assert.Empty(penalized.Intersect(prompt));
        Assert.True(plain.Distinct().Count() < plain.Count || plain.Intersect(prompt).Any(), "fixture should repeat without a penalty");
    }
}
