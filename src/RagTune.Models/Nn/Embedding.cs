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

    /// <summary>Replaces the table (same shape) — used to re-lay weights out in memory; the caller disposes the old one.</summary>
    internal void ReplaceWeight(Parameter newWeight)
    {
        _internal_params.Remove("weight");
        weight = newWeight;
        register_parameter("weight", newWeight);
    }

    /// <summary>Ids (any shape, int64) → rows (…, dim).</summary>
    public override Tensor forward(Tensor ids)
    {
        var shape = ids.shape.Append(weight.shape[1]).ToArray();
        return weight.index_select(0, ids.reshape(-1)).view(shape);
    }
}
