using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models.Kernels;

/// <summary>
/// The reduced-precision inference path: projection weights stored in bf16 (half the bytes a decode step streams),
/// activations, norms, embeddings and the KV cache kept in fp32. <see cref="FastLinear"/> does the mixed matmuls.
/// </summary>
public static class ReducedPrecision
{
    /// <summary>
    /// Converts every <see cref="Nn.Linear"/> weight (and bias) of <paramref name="model"/> to bf16 in place; returns
    /// the number converted. Inference only. A projection tied to the embedding gets its own bf16 copy (the
    /// embedding lookup stays fp32), so the model is no longer saveable as tied.
    /// </summary>
    public static int ConvertLinearWeightsToBf16(IPretrainedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var count = 0;
        using var _ = no_grad();
        foreach (var (_, module) in model.Module.named_modules())
        {
            if (module is not Nn.Linear linear || linear.IsConv1D || linear.weight.dtype == ScalarType.BFloat16) continue;
            linear.to(ScalarType.BFloat16);
            count++;
        }
        return count;
    }
}
