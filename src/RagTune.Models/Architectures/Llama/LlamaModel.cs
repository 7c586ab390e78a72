using RagTune.Models.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Embedding = RagTune.Models.Nn.Embedding;
using Linear = RagTune.Models.Nn.Linear;

namespace RagTune.Models.Architectures.Llama;

/// <summary>
/// The Llama decoder stack (Touvron et al. 2023, https://arxiv.org/abs/2302.13971; Llama 2/3, Mistral, Qwen2, SmolLM2
/// share it): token embedding, N pre-norm blocks of grouped-query self-attention with rotary positions and a SwiGLU MLP,
/// a final RMSNorm. Parameter names equal HF <c>LlamaModel</c>'s (<c>embed_tokens</c>, <c>layers.i.…</c>, <c>norm</c>).
/// Layers with a sliding window (Mistral, see <see cref="ModelConfig.SlidingWindow"/>) attend to the last window positions only.
/// </summary>
public sealed class LlamaModel : nn.Module
{
    /// <summary>Token embedding [V, H].</summary>
    public readonly Embedding embed_tokens;

    /// <summary>The decoder blocks.</summary>
    public readonly ModuleList<LlamaDecoderLayer> layers;

    /// <summary>Final norm.</summary>
    public readonly RmsNorm norm;

    readonly RotaryEmbedding rotary;
    readonly ScalarType dtype;
    readonly int?[] windows; // per layer

    /// <summary>The rotary tables' frequencies (the decode kernel computes its own cos/sin from them).</summary>
    internal RotaryEmbedding Rotary => rotary;

    /// <summary>Sliding attention window of each layer (null = full causal attention).</summary>
    internal IReadOnlyList<int?> SlidingWindows => windows;

    /// <summary>Builds the stack with uninitialised parameters.</summary>
    public LlamaModel(ModelConfig config, ScalarType dtype = ScalarType.Float32) : base(nameof(LlamaModel))
    {
        this.dtype = dtype;
        embed_tokens = new Embedding(config.VocabSize, config.HiddenSize, dtype);
        layers = new ModuleList<LlamaDecoderLayer>(
            Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new LlamaDecoderLayer(config, dtype)).ToArray());
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEps, dtype);
        rotary = new RotaryEmbedding(config);
        windows = Enumerable.Range(0, config.NumHiddenLayers).Select(config.SlidingWindow).ToArray();
        register_module("embed_tokens", embed_tokens);
        register_module("layers", layers);
        register_module("norm", norm);
    }

    /// <summary>Hidden states (B, T, H) after the final norm; see <see cref="ICausalLanguageModel.Forward"/>.</summary>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask, Tensor? positionIds, KvCache? cache, BlockInvoker? invoker = null)
    {
        var (b, t) = (inputIds.shape[0], inputIds.shape[1]);
        using var kernels = Kernels.InferenceKernels.EnterForward(b * t);
        long past = cache?.Length ?? 0;
        positionIds ??= AttentionOps.PositionIds(attentionMask, b, t, past);
        var (cos, sin) = rotary.Compute(positionIds, dtype);          // (B, 1, T, hd)
        // One mask per distinct window (usually one: all layers full, or all windowed).
        var biases = windows.Distinct().ToDictionary(w => w ?? 0, w => AttentionOps.CausalBias(attentionMask, t, past, dtype, w));
        var h = embed_tokens.call(inputIds);                          // (B, T, H)
        for (var i = 0; i < layers.Count; i++)
        {
            var ctx = new BlockContext(i, biases[windows[i] ?? 0], cos, sin, cache);
            h = invoker is null ? layers[i].Forward(h, ctx) : invoker(layers[i], h, ctx);
        }
        cache?.Advance((int)t);
        return norm.call(h);
    }

    /// <summary>Frees the rotary table and the parameters.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing) rotary.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>One pre-norm Llama block: h += attn(norm(h)); h += mlp(norm(h)).</summary>
public sealed class LlamaDecoderLayer : nn.Module, ITransformerBlock
{
    /// <summary>Self-attention.</summary>
    public readonly LlamaAttention self_attn;

    /// <summary>SwiGLU MLP.</summary>
    public readonly LlamaMlp mlp;

    /// <summary>Norm before attention.</summary>
    public readonly RmsNorm input_layernorm;

    /// <summary>Norm before the MLP.</summary>
    public readonly RmsNorm post_attention_layernorm;

    /// <summary>Builds the block.</summary>
    public LlamaDecoderLayer(ModelConfig config, ScalarType dtype) : base(nameof(LlamaDecoderLayer))
    {
        self_attn = new LlamaAttention(config, dtype);
        mlp = new LlamaMlp(config, dtype);
        input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, dtype);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, dtype);
        register_module("self_attn", self_attn);
        register_module("mlp", mlp);
        register_module("input_layernorm", input_layernorm);
        register_module("post_attention_layernorm", post_attention_layernorm);
    }

    /// <inheritdoc/>
    public Tensor Forward(Tensor hidden, BlockContext context)
    {
        var h = hidden.add(self_attn.Forward(input_layernorm.call(hidden), context));
        // Not in place: the norm saved h for its backward, so modifying it would break training.
        return h.add(mlp.call(post_attention_layernorm.call(h)));
    }
}

/// <summary>
/// Grouped-query self-attention with rotary positions (q/k/v/o projections; biases on q/k/v for Qwen2 or with
/// <c>attention_bias</c>).
/// </summary>
public sealed class LlamaAttention : nn.Module
{
    /// <summary>Projections.</summary>
    public readonly Linear q_proj, k_proj, v_proj, o_proj;

    readonly int numHeads, numKvHeads, headDim;

    /// <summary>Builds the attention.</summary>
    public LlamaAttention(ModelConfig config, ScalarType dtype) : base(nameof(LlamaAttention))
    {
        numHeads = config.NumAttentionHeads;
        numKvHeads = config.NumKeyValueHeads;
        headDim = config.HeadDim;
        var qwen = config.ModelType == "qwen2";
        var qkvBias = config.AttentionBias || qwen;
        var oBias = config.AttentionBias && !qwen;
        q_proj = new Linear(config.HiddenSize, numHeads * headDim, qkvBias, dtype: dtype);
        k_proj = new Linear(config.HiddenSize, numKvHeads * headDim, qkvBias, dtype: dtype);
        v_proj = new Linear(config.HiddenSize, numKvHeads * headDim, qkvBias, dtype: dtype);
        o_proj = new Linear(numHeads * headDim, config.HiddenSize, oBias, dtype: dtype);
        register_module("q_proj", q_proj);
        register_module("k_proj", k_proj);
        register_module("v_proj", v_proj);
        register_module("o_proj", o_proj);
    }

    /// <summary>(B, T, H) → (B, T, H).</summary>
    public Tensor Forward(Tensor x, BlockContext ctx)
    {
        var (b, t) = (x.shape[0], x.shape[1]);
        var q = q_proj.call(x).view(b, t, numHeads, headDim).transpose(1, 2);   // (B, nh, T, hd)
        var k = k_proj.call(x).view(b, t, numKvHeads, headDim).transpose(1, 2); // (B, nkv, T, hd)
        var v = v_proj.call(x).view(b, t, numKvHeads, headDim).transpose(1, 2); // (B, nkv, T, hd)
        q = RotaryEmbedding.Apply(q, ctx.Cos!, ctx.Sin!);
        k = RotaryEmbedding.Apply(k, ctx.Cos!, ctx.Sin!);
        if (ctx.Cache is { } cache) (k, v) = cache.Append(ctx.LayerIndex, k, v); // (B, nkv, past+T, hd)
        var y = AttentionOps.ScaledDotProduct(q, k, v, ctx.AttentionBias);       // (B, nh, T, hd)
        return o_proj.call(y.transpose(1, 2).reshape(b, t, numHeads * headDim));
    }
}

/// <summary>SwiGLU feed-forward (Shazeer 2020, https://arxiv.org/abs/2002.05202): down(silu(gate(x)) ⊙ up(x)).</summary>
public sealed class LlamaMlp : nn.Module<Tensor, Tensor>
{
    /// <summary>Projections.</summary>
    public readonly Linear gate_proj, up_proj, down_proj;

    /// <summary>Builds the MLP.</summary>
    public LlamaMlp(ModelConfig config, ScalarType dtype) : base(nameof(LlamaMlp))
    {
        if (config.HiddenAct is not ("silu" or "swish"))
            throw new ModelLoadException($"{config.Source}: hidden_act '{config.HiddenAct}' is not supported for {config.ModelType} (expected silu).", config.Source);
        gate_proj = new Linear(config.HiddenSize, config.IntermediateSize, config.MlpBias, dtype: dtype);
        up_proj = new Linear(config.HiddenSize, config.IntermediateSize, config.MlpBias, dtype: dtype);
        down_proj = new Linear(config.IntermediateSize, config.HiddenSize, config.MlpBias, dtype: dtype);
        register_module("gate_proj", gate_proj);
        register_module("up_proj", up_proj);
        register_module("down_proj", down_proj);
    }

    /// <summary>(…, H) → (…, H).</summary>
    public override Tensor forward(Tensor x) =>
        down_proj.call(nn.functional.silu(gate_proj.call(x)).mul_(up_proj.call(x)));
}
