using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RagTune.Models.Nn;

/// <summary>
/// A projection y = x·Wᵀ + b with Hugging Face parameter names (<c>weight</c>, <c>bias</c>) and layout
/// (<c>weight</c> is <c>[out, in]</c>), or in GPT-2 <c>Conv1D</c> mode y = x·W + b with <c>weight</c> stored
/// <c>[in, out]</c>. An optional <see cref="Adapter"/> (e.g. LoRA) sees the same input and its output is added.
/// </summary>
public sealed class Linear : nn.Module<Tensor, Tensor>
{
    /// <summary>Name under which an adapter is registered as a submodule.</summary>
    public const string AdapterName = "adapter";

    /// <summary>The weight: <c>[out, in]</c>, or <c>[in, out]</c> in Conv1D mode.</summary>
    public Parameter weight;

    /// <summary>The bias <c>[out]</c>, or null.</summary>
    public Parameter? bias;

    /// <summary>
    /// Scales <c>[out, in / 32]</c> when <see cref="weight"/> holds int8 blocks (<see cref="QuantizeToInt8"/>): weight
    /// element (r, c) is <c>weight[r, c] · weight_scale[r, c / 32]</c>. Null for float weights.
    /// </summary>
    public Tensor? weight_scale;

    /// <summary>Input elements sharing one int8 scale (as GGUF's Q8_0).</summary>
    public const int Int8BlockSize = 32;

    nn.Module<Tensor, Tensor>? adapter;

    /// <summary>Creates a projection with uninitialised (empty) parameters; a checkpoint or an initialiser fills them.</summary>
    /// <param name="inFeatures">Input size.</param>
    /// <param name="outFeatures">Output size.</param>
    /// <param name="hasBias">Whether there is a bias.</param>
    /// <param name="conv1D">GPT-2 Conv1D layout (<c>weight</c> <c>[in, out]</c>).</param>
    /// <param name="dtype">Parameter type.</param>
    public Linear(long inFeatures, long outFeatures, bool hasBias = false, bool conv1D = false, ScalarType dtype = ScalarType.Float32)
        : base(nameof(Linear))
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        IsConv1D = conv1D;
        weight = NewParameter(conv1D ? [inFeatures, outFeatures] : [outFeatures, inFeatures], dtype);
        register_parameter("weight", weight);
        if (hasBias)
        {
            bias = NewParameter([outFeatures], dtype);
            register_parameter("bias", bias);
        }
    }

    /// <summary>
    /// A projection that shares <paramref name="sharedWeight"/> (<c>[out, in]</c>) with another module — weight tying
    /// (e.g. the LM head and the token embedding): the same <see cref="Parameter"/>, not a copy.
    /// </summary>
    public Linear(Parameter sharedWeight) : base(nameof(Linear))
    {
        ArgumentNullException.ThrowIfNull(sharedWeight);
        if (sharedWeight.dim() != 2) throw new ArgumentException("A tied weight must be 2-D [out, in].", nameof(sharedWeight));
        weight = sharedWeight;
        OutFeatures = sharedWeight.shape[0];
        InFeatures = sharedWeight.shape[1];
        register_parameter("weight", weight);
    }

    /// <summary>Input size.</summary>
    public long InFeatures { get; }

    /// <summary>Output size.</summary>
    public long OutFeatures { get; }

    /// <summary>Whether the weight is stored <c>[in, out]</c> (GPT-2 Conv1D).</summary>
    public bool IsConv1D { get; }

    /// <summary>
    /// A module applied to the same input whose output is added to the projection's (LoRA plugs in here). Setting it
    /// registers it as the submodule <c>adapter</c> (so its parameters appear as <c>….adapter.…</c>); null removes it.
    /// The caller owns the adapter's lifetime. <see cref="ModelSaver"/> never writes adapter parameters.
    /// </summary>
    public nn.Module<Tensor, Tensor>? Adapter
    {
        get => adapter;
        set
        {
            if (ReferenceEquals(value, adapter)) return;
            if (adapter is not null) _internal_submodules.Remove(AdapterName);
            adapter = value;
            if (value is not null) register_module(AdapterName, value);
        }
    }

    /// <summary>
    /// The fp32 buffer bf16 / int8-block weights are widened into for libtorch's GEMM at inference (no gradients), shared
    /// by the projections of one model (<see cref="Kernels.ReducedPrecision"/> sets it). Null: a fresh fp32 copy per call.
    /// </summary>
    public Kernels.WidenedWeightScratch? WideningScratch { get; set; }

    /// <summary>(…, in) → (…, out).</summary>
    public override Tensor forward(Tensor x)
    {
        Tensor y;
        if (LowPrecisionProjection.TryForward(this, x) is { } fast)
            y = fast;
        else if (FloatProjection.TryForward(this, x) is { } packed)
            y = packed;
        else if (weight_scale is not null)
            // int8 blocks with gradients on (or unusual inputs): widened per call.
            y = nn.functional.linear(x, Dequantized(x.dtype), bias?.to_type(x.dtype));
        else if (!IsConv1D)
        {
            y = weight.dtype == x.dtype
                ? nn.functional.linear(x, weight, bias)
                // Stored in lower precision (frozen bf16 base under LoRA, bf16 inference weights): computed in the
                // activations' type; libtorch has no fast bf16 GEMM on CPUs without AVX-512 BF16/AMX.
                : nn.functional.linear(x, weight.to_type(x.dtype), bias?.to_type(x.dtype));
        }
        else
        {
            // Conv1D: x·W + b with W [in, out]; addmm on the flattened batch fuses the bias.
            var flat = x.reshape(-1, InFeatures);
            var (w, b) = weight.dtype == x.dtype ? (weight, bias) : (weight.to_type(x.dtype), bias?.to_type(x.dtype));
            var outShape = x.shape.ToArray();
            outShape[^1] = OutFeatures;
            y = (b is null ? flat.matmul(w) : addmm(b, flat, w, 1, 1)).view(outShape);
        }
        return adapter is null ? y : y.add(adapter.call(x));
    }

    /// <summary>
    /// Stores weight and bias as <paramref name="dtype"/> (e.g. a frozen bf16 base under LoRA: half the memory, computed
    /// in the input's type). Keeps <c>requires_grad</c>. A weight shared with another module (<paramref name="shared"/>,
    /// a tied LM head) is copied, not replaced: the other module keeps the original, so the two are no longer tied in
    /// memory (for inference).
    /// </summary>
    public void StoreAs(ScalarType dtype, bool shared = false)
    {
        if (weight_scale is not null)
            throw new InvalidOperationException("This projection holds int8 blocks; converting them would lose their scales. Load the model again instead.");
        if (weight.dtype == dtype) return;
        using var _ = no_grad();
        var old = weight;
        var w = new Parameter(old.detach().to_type(dtype), requires_grad: old.requires_grad);
        w.DetachFromDisposeScope();
        ReplaceWeight(w);
        if (!shared) old.Dispose();
        if (bias is not null)
        {
            var oldBias = bias;
            bias = new Parameter(oldBias.detach().to_type(dtype), requires_grad: oldBias.requires_grad);
            bias.DetachFromDisposeScope();
            _internal_params.Remove("bias");
            register_parameter("bias", bias);
            oldBias.Dispose();
        }
    }

    /// <summary>
    /// Stores the weight as int8 in blocks of <see cref="Int8BlockSize"/> inputs with one fp32 scale each (max |w| / 127,
    /// values rounded — GGUF Q8_0's scheme): 1.125 bytes per weight instead of 4, for inference. Needs
    /// <c>[out, in]</c> layout and <c>in</c> a multiple of 32. A weight shared with another module (a tied head) is
    /// quantized into a copy, as in <see cref="StoreAs"/>.
    /// </summary>
    public void QuantizeToInt8(bool shared = false)
    {
        if (weight_scale is not null) return;
        if (IsConv1D || InFeatures % Int8BlockSize != 0)
            throw new InvalidOperationException($"int8 blocks need an [out, in] weight with in a multiple of {Int8BlockSize} (got in = {InFeatures}{(IsConv1D ? ", Conv1D" : "")}).");
        using var _ = no_grad();
        var old = weight;
        using (var scope = NewDisposeScope())
        {
            var blocks = old.detach().to_type(ScalarType.Float32).view(OutFeatures, InFeatures / Int8BlockSize, Int8BlockSize);
            var scale = blocks.abs().amax([-1], keepdim: true).div_(127);
            var q = blocks.div(scale.clamp_min(float.Epsilon)).round_().clamp_(-127, 127).to_type(ScalarType.Int8);
            var w = new Parameter(q.view(OutFeatures, InFeatures), requires_grad: false);
            weight_scale = scale.squeeze(-1).contiguous().MoveToOuterDisposeScope();
            w.MoveToOuterDisposeScope();
            ReplaceWeight(w);
        }
        weight.DetachFromDisposeScope();
        weight_scale.DetachFromDisposeScope();
        register_buffer("weight_scale", weight_scale);
        if (!shared) old.Dispose();
    }

    /// <summary>Frees the parameters and the model's widening buffer (shared: disposing it twice is harmless).</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing) WideningScratch?.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>The int8 weight widened to <paramref name="dtype"/>.</summary>
    internal Tensor Dequantized(ScalarType dtype) =>
        weight.to_type(ScalarType.Float32).view(OutFeatures, InFeatures / Int8BlockSize, Int8BlockSize)
            .mul(weight_scale!.unsqueeze(-1)).view(OutFeatures, InFeatures).to_type(dtype);

    /// <summary>Replaces the weight (same shape); the caller disposes the old one.</summary>
    void ReplaceWeight(Parameter newWeight)
    {
        _internal_params.Remove("weight");
        weight = newWeight;
        register_parameter("weight", newWeight);
    }

    static Parameter NewParameter(long[] shape, ScalarType dtype)
    {
        var p = new Parameter(empty(shape, dtype), requires_grad: true);
        p.DetachFromDisposeScope();
        return p;
    }
}
