using RagTune.Models.Clients;
using RagTune.Models.Onnx;
using RagTune.Tests;
using RagTune.Training.Embeddings;

namespace RagTune.Training.Tests.Embeddings;

/// <summary>Retriever fine-tuning on the built-in MiniLM: held-out recall@10 rises, and the saved folder is a working embedder.</summary>
public sealed class EmbeddingFineTuneTests
{
    static readonly EmbeddingModelCacheOptions Cache = new(Path.Combine(Path.GetTempPath(), "ragtune-test-models"));

    [Fact]
    [Trait("Tier", "Integration")]
    public async Task FullFineTuningImprovesHeldOutRecallAndSavesAnEmbedderFolder()
    {
        var root = TestPaths.NewTempDir("ragtune-embed-ft");
        var (train, heldOut) = SlangRetrievalTask.Build(trainPlaces: 12, heldOutPlaces: 4);
        EmbeddingPair.WriteJsonl(Path.Combine(root, "train.jsonl"), train);
        EmbeddingPair.WriteJsonl(Path.Combine(root, "eval.jsonl"), heldOut);
        var output = Path.Combine(root, "tuned");
        var options = new EmbeddingFineTuneOptions
        {
            ModelDir = EmbeddingModelLocator.Materialize(BuiltInEncoder.MiniLm, Cache),
            DataPath = Path.Combine(root, "train.jsonl"), EvalPath = Path.Combine(root, "eval.jsonl"), OutputDir = output,
            Epochs = 2, BatchSize = 16, LearningRate = 1e-4, MaxTokens = 32,
        };
        var result = await new EmbeddingFineTuneRecipe(options).RunAsync();

        Assert.True(result.LastLoss < result.FirstLoss, $"loss {result.FirstLoss:F3} → {result.LastLoss:F3}");
        Assert.True(result.RecallAfter > result.RecallBefore + 0.15, $"held-out recall@10 {result.RecallBefore:P1} → {result.RecallAfter:P1}");

        // The folder is a complete sentence encoder: it loads as one and ranks a held-out query's passage first.
        using var generator = LocalClientFactory.CreateEmbeddingGenerator(output);
        var pair = heldOut[0];
        var passages = heldOut.Where(p => p.Query.EndsWith(pair.Query.Split(" of ")[1], StringComparison.Ordinal)).Select(p => p.Positive).ToList();
        var vectors = await generator.GenerateAsync(passages);
        var query = (await generator.GenerateAsync([pair.Query], EmbeddingPurpose.Query()))[0].Vector;
        var scores = vectors.Select(v => System.Numerics.Tensors.TensorPrimitives.Dot(query.Span, v.Vector.Span)).ToList();
        Assert.True(File.Exists(Path.Combine(output, "1_Pooling", "config.json")));
        Assert.Equal(SentenceEmbeddingSettings.FromFolder(options.ModelDir), SentenceEmbeddingSettings.FromFolder(output));
        Assert.True(scores.Count(s => s >= scores[passages.IndexOf(pair.Positive)]) <= 3, "the positive ranks in the top 3 of its place's passages");
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    [Trait("Tier", "Integration")]
    public async Task LoraFineTuningMergesIntoAFolderThatEmbedsDifferently()
    {
        var root = TestPaths.NewTempDir("ragtune-embed-lora");
        var (train, _) = SlangRetrievalTask.Build(trainPlaces: 1, heldOutPlaces: 0);
        EmbeddingPair.WriteJsonl(Path.Combine(root, "train.jsonl"), train);
        var baseDir = EmbeddingModelLocator.Materialize(BuiltInEncoder.ArcticXs, Cache);
        var options = new EmbeddingFineTuneOptions
        {
            ModelDir = baseDir, DataPath = Path.Combine(root, "train.jsonl"), OutputDir = Path.Combine(root, "tuned"),
            Method = FineTuneMethod.Lora, BatchSize = 8, LearningRate = 1e-3, MaxTokens = 32,
        };
        var result = await new EmbeddingFineTuneRecipe(options).RunAsync();
        Assert.Equal(2, result.Steps);

        // Merged weights, plain HF keys: the folder loads without PEFT files, keeps CLS pooling and the query prompt.
        Assert.False(File.Exists(Path.Combine(options.OutputDir, "adapter_config.json")));
        Assert.Equal(SentenceEmbeddingSettings.FromFolder(baseDir), SentenceEmbeddingSettings.FromFolder(options.OutputDir));
        using var tuned = LocalClientFactory.CreateEmbeddingGenerator(options.OutputDir);
        using var original = LocalClientFactory.CreateEmbeddingGenerator(baseDir);
        var text = train[0].Query;
        var a = (await tuned.GenerateAsync([text], EmbeddingPurpose.Query()))[0].Vector.ToArray();
        var b = (await original.GenerateAsync([text], EmbeddingPurpose.Query()))[0].Vector.ToArray();
        Assert.NotEqual(a, b);
        Assert.True(System.Numerics.Tensors.TensorPrimitives.Dot(a, b) > 0.5, "a few LoRA steps move the embedding, they do not scramble it");
        Directory.Delete(root, recursive: true);
    }
}
