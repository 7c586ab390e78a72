using RagTune.Evaluation.Benchmark;

namespace RagTune.Application.Benchmark;

/// <summary>Options of <see cref="BenchmarkDemo"/> (<c>ragtune demo</c>).</summary>
public sealed record DemoOptions
{
    /// <summary>Output folder: generated inputs, compare configs, reports.</summary>
    public required string OutputDir { get; init; }
    /// <summary>Seed of the worlds, the pre-training and every arm.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>Sizes (<see cref="BenchmarkPreset.Full"/> or <see cref="BenchmarkPreset.Quick"/>).</summary>
    public BenchmarkPreset Preset { get; init; } = BenchmarkPreset.Full;
    /// <summary>Where pre-trained base models are cached (default: the user cache folder, see <see cref="BaseModelCache.DefaultRoot"/>).</summary>
    public string? CacheDir { get; init; }
    /// <summary>The embedding model of hybrid retrieval: built-in <c>minilm</c> (default) or <c>arctic-xs</c>, an encoder folder; <c>none</c> for BM25 only.</summary>
    public string EmbedModel { get; init; } = Models.Onnx.EmbeddingModelLocator.DefaultModel;
    /// <summary>Stop after the base model and its reading check (no comparisons).</summary>
    public bool BaseOnly { get; init; }
    /// <summary>Re-run every arm even when a cached result exists.</summary>
    public bool Force { get; init; }
}
