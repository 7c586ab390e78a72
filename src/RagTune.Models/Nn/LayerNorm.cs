using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RagTune.Models.Nn;

/// <summary>Layer normalisation with Hugging Face names (<c>weight</c>, <c>bias</c>) and uninitialised parameters until loaded.</summary>
public sealed class LayerNorm : nn.Module<Tensor, Tensor>
{
    /// <summary>The gain <c>[dim]</c>.</summary>
    public Parameter weight;

    /// <summary>The shift <c>[dim]</c>.</summary>
    public Parameter bias;

    readonly double eps;
    readonly long dim;

    /// <summary>Creates the norm.</summary>
    public LayerNorm(long dim, double eps, ScalarType dtype = ScalarType.Float32) : base(nameof(LayerNorm))
    {
        this.dim = dim;
        this.eps = eps;
        weight = new Parameter(empty([dim], dtype), requires_grad: true);
        bias = new Parameter(empty([dim], dtype), requires_grad: true);
        weight.DetachFromDisposeScope();
        bias.DetachFromDisposeScope();
        register_parameter("weight", weight);
        register_parameter("bias", bias);
    }

    /// <summary>(…, dim) → (…, dim).</summary>
    public override Tensor forward(Tensor x) => nn.functional.layer_norm(x, [dim], weight, bias, eps);
}
