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

}
