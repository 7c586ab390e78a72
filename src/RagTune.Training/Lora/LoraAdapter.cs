using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RagTune.Training.Lora;

/// <summary>
/// The LoRA update of one linear layer (Hu et al., https://arxiv.org/abs/2106.09685): adds
/// <c>scaling · B(A(dropout(x)))</c> to the layer's output. <c>lora_A</c> <c>[r, in]</c> starts Kaiming-uniform and
/// <c>lora_B</c> <c>[out, r]</c> at zero, so training starts from the base model exactly (as PEFT initialises).
/// </summary>
public sealed class LoraAdapter : nn.Module<Tensor, Tensor>, IRandomizedModule
{
#pragma warning disable IDE1006 // HF/PEFT parameter names
    readonly Linear lora_A;
    readonly Linear lora_B;
#pragma warning restore IDE1006
    readonly double _dropout;

    /// <summary>Input and output features of the adapted layer, and rank.</summary>
    public (long In, long Out, int R) Shape { get; }

    /// <summary>The multiplier on B·A (alpha/r or alpha/√r).</summary>
    public double Scaling { get; }

    /// <inheritdoc/>
    public Generator? Generator { get; set; }

    /// <summary>
    /// Creates an adapter for a layer mapping <paramref name="inFeatures"/> to <paramref name="outFeatures"/>;
    /// <c>lora_A</c> is drawn from <paramref name="init"/> (libtorch's default generator when null).
    /// </summary>
    public LoraAdapter(long inFeatures, long outFeatures, int r, double scaling, double dropout, ScalarType dtype = ScalarType.Float32,
                       Generator? init = null)
        : base(nameof(LoraAdapter))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(r);
        lora_A = nn.Linear(inFeatures, r, hasBias: false, dtype: dtype);
        lora_B = nn.Linear(r, outFeatures, hasBias: false, dtype: dtype);
        using (no_grad())
        {
            // kaiming_uniform_(a = √5), PEFT's init, is U(−1/√in, 1/√in); TorchSharp's init functions take no
            // generator, so draw the same distribution with uniform_.
            var bound = 1.0 / Math.Sqrt(inFeatures);
            lora_A.weight!.uniform_(-bound, bound, init);
            nn.init.zeros_(lora_B.weight);
        }
        (_dropout, Scaling, Shape) = (dropout, scaling, (inFeatures, outFeatures, r));
        RegisterComponents();
    }

    /// <summary><c>lora_A.weight</c> <c>[r, in]</c>.</summary>
    public Parameter A => lora_A.weight!;

    /// <summary><c>lora_B.weight</c> <c>[out, r]</c>.</summary>
    public Parameter B => lora_B.weight!;

    /// <summary>The update for input <paramref name="x"/> <c>[..., in]</c> → <c>[..., out]</c>.</summary>
    public override Tensor forward(Tensor x)
    {
        var h = _dropout > 0 && training ? Dropout(x) : x;
        return lora_B.forward(lora_A.forward(h)).mul(Scaling);
    }

    /// <summary>
    /// Inverted dropout. libtorch's <c>dropout</c> takes no generator, so the mask is drawn here with
    /// <c>rand(generator)</c> (same distribution: keep with probability 1 − p, scale kept values by 1 / (1 − p)).
    /// </summary>
    Tensor Dropout(Tensor x)
    {
        if (Generator is null) return nn.functional.dropout(x, _dropout, training: true);
        using var scope = NewDisposeScope();
        var keep = rand(x.shape, dtype: x.dtype, device: x.device, generator: Generator).ge_(_dropout);
        return x.mul(keep).div_(1 - _dropout).MoveToOuterDisposeScope();
    }

    /// <summary>ΔW = scaling · B·A <c>[out, in]</c> (transpose it for <c>[in, out]</c> Conv1D weights).</summary>
    public Tensor DeltaWeight() => B.matmul(A).mul(Scaling);
}
