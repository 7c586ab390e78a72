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
    /// Projection weights for inference: <see cref="WeightPrecision.Fp32"/> (default, as loaded), bf16 or int8 blocks —
    /// applied after loading (<see cref="Kernels.ReducedPrecision.Apply"/>). Reduced-precision models cannot be trained
    /// or saved.
    /// </summary>
    public WeightPrecision Weights { get; init; } = WeightPrecision.Fp32;

    /// <summary>
    /// Llama-family decoders: run cached single-token steps on the C# decode kernel when it applies (default), or
    /// always on libtorch (<c>false</c>). Set per loaded model (<see cref="Architectures.Llama.LlamaForCausalLM.UseDecodeKernel"/>).
    /// </summary>
    public bool DecodeKernel { get; init; } = true;
}
