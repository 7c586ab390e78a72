using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models.Kernels;

/// <summary>
/// The reduced-precision inference path: projection weights — the LM head included — stored in bf16, half the bytes a
/// decode step streams; activations, norms, the token embedding and the KV cache stay fp32. The Llama decode kernel
/// (<see cref="Architectures.Llama.LlamaDecodeStep"/>) widens bf16 rows in registers; prefill widens them for
/// libtorch's GEMM.
/// </summary>
public static class ReducedPrecision
{
    /// <summary>
    /// Converts every <see cref="Nn.Linear"/> weight (and bias) of <paramref name="model"/> to bf16 in place; returns
    /// the number converted. Inference only. A head tied to the token embedding (<see cref="IPretrainedModel.TiedKeys"/>)
    /// gets its own bf16 copy (+½ of the embedding's memory) and the embedding stays fp32; saving still writes the fp32
    /// embedding once, under the tied key.
    /// </summary>
    public static int ConvertLinearWeightsToBf16(IPretrainedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var count = 0;
        using var _ = no_grad();
        foreach (var (name, module) in model.Module.named_modules())
        {
            if (module is not Nn.Linear linear || linear.IsConv1D || linear.weight.dtype == ScalarType.BFloat16) continue;
            linear.StoreAs(ScalarType.BFloat16, shared: model.TiedKeys.Contains($"{name}.weight"));
            count++;
        }
        return count;
    }
}
