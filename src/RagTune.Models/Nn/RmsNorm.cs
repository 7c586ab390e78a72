using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RagTune.Models.Nn;

/// <summary>
/// Root-mean-square layer norm, y = w ⊙ x / sqrt(mean(x²) + ε), computed in float32 as Hugging Face's
/// <c>LlamaRMSNorm</c> (Zhang &amp; Sennrich 2019, https://arxiv.org/abs/1910.07467).
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    /// <summary>The gain <c>[dim]</c>.</summary>
    public Parameter weight;

    readonly double eps;

    /// <summary>Creates the norm with an uninitialised gain.</summary>
    public RmsNorm(long dim, double eps, ScalarType dtype = ScalarType.Float32) : base(nameof(RmsNorm))
    {
        this.eps = eps;
        weight = new Parameter(empty([dim], dtype), requires_grad: true);
        weight.DetachFromDisposeScope();
        register_parameter("weight", weight);
    }

    /// <summary>(…, dim) → (…, dim).</summary>
    public override Tensor forward(Tensor x)
    {
        var inputType = x.dtype;
        // Half types are upcast to float32 as HF does; float64 stays float64 (finite-difference gradient checks need it).
        var wide = inputType is ScalarType.Float32 or ScalarType.Float64;
        var x32 = wide ? x : x.to_type(ScalarType.Float32);
        var normed = x32.mul(x32.square().mean([-1], keepdim: true).add_(eps).rsqrt_());
        return weight.mul(wide ? normed : normed.to_type(inputType));
    }
}
