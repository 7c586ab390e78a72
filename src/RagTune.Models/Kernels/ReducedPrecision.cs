using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models.Kernels;

/// <summary>
/// The reduced-precision inference paths: projection weights — the LM head included — stored in bf16 (half the bytes a
/// decode step streams) or in int8 blocks with fp32 scales (Q8_0-style, 1.125 bytes per weight); activations, norms,
/// the token embedding and the KV cache stay fp32. The Llama decode kernel
/// (<see cref="Architectures.Llama.LlamaDecodeStep"/>) widens rows in registers; prefill widens them for libtorch into
/// one reusable buffer per model (<see cref="WidenedWeightScratch"/>, shared by that model's converted projections).
/// </summary>
public static class ReducedPrecision
{
    /// <summary>Puts the projection weights of <paramref name="model"/> in <paramref name="precision"/>; returns the number converted.</summary>
    public static int Apply(IPretrainedModel model, WeightPrecision precision) => precision switch
    {
        WeightPrecision.Fp32 => 0,
        WeightPrecision.Bf16 => ConvertLinearWeightsToBf16(model),
        WeightPrecision.Int8 => QuantizeLinearWeightsToInt8(model),
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "unknown weight precision"),
    };

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
        var scratch = new WidenedWeightScratch();
        using var _ = no_grad();
        foreach (var (name, module) in model.Module.named_modules())
        {
            if (module is not Nn.Linear linear || linear.IsConv1D || linear.weight.dtype == ScalarType.BFloat16 || linear.weight_scale is not null) continue;
            linear.StoreAs(ScalarType.BFloat16, shared: model.TiedKeys.Contains($"{name}.weight"));
            linear.WideningScratch = scratch;
            count++;
        }
        return count;
    }

    /// <summary>
    /// Quantizes every <see cref="Nn.Linear"/> weight whose input size is a multiple of 32 to int8 blocks
    /// (<see cref="Nn.Linear.QuantizeToInt8"/>); returns the number quantized. Inference only (such a model cannot be
    /// saved); a tied head gets its own int8 copy, the embedding stays fp32.
    /// </summary>
    public static int QuantizeLinearWeightsToInt8(IPretrainedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var count = 0;
        var scratch = new WidenedWeightScratch();
        using var _ = no_grad();
        foreach (var (name, module) in model.Module.named_modules())
        {
            if (module is not Nn.Linear linear || linear.IsConv1D || linear.weight_scale is not null
                || linear.InFeatures % Nn.Linear.Int8BlockSize != 0) continue;
            linear.QuantizeToInt8(shared: model.TiedKeys.Contains($"{name}.weight"));
            linear.WideningScratch = scratch;
            count++;
        }
        return count;
    }
}
