using static TorchSharp.torch;

namespace RagTune.Models;

/// <summary>How <see cref="ModelLoader"/> builds a model.</summary>
public sealed record ModelLoadOptions
{
    /// <summary>Parameter type: float32 (default) or bfloat16 (float16 also works); weights are converted on load.</summary>
    public ScalarType DType { get; init; } = ScalarType.Float32;

    /// <summary>
    /// HF architecture to build (e.g. <c>LlamaForSequenceClassification</c>) instead of the config's
    /// <c>architectures[0]</c>.
    /// </summary>
    public string? Architecture { get; init; }

    /// <summary>
    /// Lay projection weights out column-major (see <see cref="PretrainedModel.UseColumnMajorWeights"/>): ~2× faster
    /// single-token decode on CPU, same values and keys; parameters become non-contiguous. For inference (generation,
    /// benchmarks); off by default because code that calls <c>view</c> on parameters needs contiguous ones.
    /// </summary>
    public bool ColumnMajorWeights { get; init; }
}
