using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RagTune.Training.Tests.Support;

/// <summary>Stand-in for the engine's <c>RagTune.Models.Nn.Linear</c>: weight <c>[out,in]</c> (or <c>[in,out]</c> when
/// <see cref="FanInFanOut"/>), optional bias, and an <see cref="Adapter"/> slot whose output is added.</summary>
public sealed class SlotLinear : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly Parameter? bias;
    nn.Module<Tensor, Tensor>? _adapter;

    public bool FanInFanOut { get; }

    public SlotLinear(long inF, long outF, bool hasBias = false, bool fanInFanOut = false, ScalarType dtype = ScalarType.Float32) : base("Linear")
    {
        FanInFanOut = fanInFanOut;
        weight = new Parameter(fanInFanOut ? randn(inF, outF, dtype: dtype) * 0.1 : randn(outF, inF, dtype: dtype) * 0.1);
        if (hasBias) bias = new Parameter(zeros(outF, dtype: dtype));
        RegisterComponents();
    }

    public nn.Module<Tensor, Tensor>? Adapter
    {
        get => _adapter;
        set
        {
            _adapter = value;
            if (value is not null) register_module("adapter", value);
            else _internal_submodules.Remove("adapter");
        }
    }

    public override Tensor forward(Tensor x)
    {
        var y = FanInFanOut ? x.matmul(weight) : x.matmul(weight.t());
        if (bias is not null) y = y + bias;
        return _adapter is null ? y : y + _adapter.forward(x);
    }
}
