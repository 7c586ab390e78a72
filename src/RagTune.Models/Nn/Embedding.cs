using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RagTune.Models.Nn;

/// <summary>A lookup table <c>weight</c> <c>[num, dim]</c> (ids → rows), with uninitialised parameters until loaded.</summary>
public sealed class Embedding : nn.Module<Tensor, Tensor>
{
    /// <summary>The table <c>[num, dim]</c>.</summary>
    public Parameter weight;

    /// <summary>Creates an empty table.</summary>
    public Embedding(long num, long dim, ScalarType dtype = ScalarType.Float32) : base(nameof(Embedding))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(num);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        weight = new Parameter(empty([num, dim], dtype), requires_grad: true);
        weight.DetachFromDisposeScope();
        register_parameter("weight", weight);
    }

    /// <summary>Ids (any shape, int64) → rows (…, dim).</summary>
    public override Tensor forward(Tensor ids)
    {
        var shape = ids.shape.Append(weight.shape[1]).ToArray();
        return weight.index_select(0, ids.reshape(-1)).view(shape);
    }
}
