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
    /// the number converted. Inference only. A projection whose weight is tied to another module (the LM head sharing
    /// the token embedding, <see cref="IPretrainedModel.TiedKeys"/>) stays fp32: converting it would replace — and
    /// dispose — the shared tensor under the embedding.
    /// </summary>
    public static int ConvertLinearWeightsToBf16(IPretrainedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var count = 0;
        using var _ = no_grad();
        foreach (var (name, module) in model.Module.named_modules())
        {
            if (module is not Nn.Linear linear || linear.IsConv1D || linear.weight.dtype == ScalarType.BFloat16) continue;
            if (model.TiedKeys.Contains($"{name}.weight")) continue;
            linear.to(ScalarType.BFloat16);
            count++;
        }
        return count;
    }
}
