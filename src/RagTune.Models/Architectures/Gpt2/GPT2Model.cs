using RagTune.Models.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Embedding = RagTune.Models.Nn.Embedding;
using LayerNorm = RagTune.Models.Nn.LayerNorm;
using Linear = RagTune.Models.Nn.Linear;

namespace RagTune.Models.Architectures.Gpt2;

/// <summary>
/// GPT-2 (Radford et al. 2019, "Language Models are Unsupervised Multitask Learners"; code: openai/gpt-2, karpathy/nanoGPT):
/// token + learned position embeddings, N pre-LayerNorm blocks of causal multi-head attention (fused <c>c_attn</c>
/// giving q|k|v) and a GELU MLP, a final LayerNorm. Projections are <c>Conv1D</c> (weights <c>[in, out]</c>). Names equal
/// HF <c>GPT2Model</c>'s (<c>wte</c>, <c>wpe</c>, <c>h.i.…</c>, <c>ln_f</c>).
/// </summary>
public sealed class GPT2Model : nn.Module
{
    /// <summary>Token embedding [V, E].</summary>
    public readonly Embedding wte;

    /// <summary>Position embedding [n_positions, E].</summary>
    public readonly Embedding wpe;

    /// <summary>The blocks.</summary>
    public readonly ModuleList<GPT2Block> h;

    /// <summary>Final LayerNorm.</summary>
    public readonly LayerNorm ln_f;

    readonly ScalarType dtype;
    readonly int maxPositions;

    /// <summary>Builds the stack with uninitialised parameters.</summary>
    public GPT2Model(ModelConfig config, ScalarType dtype = ScalarType.Float32) : base(nameof(GPT2Model))
    {
        this.dtype = dtype;
        maxPositions = config.MaxPositionEmbeddings;
        wte = new Embedding(config.VocabSize, config.HiddenSize, dtype);
        wpe = new Embedding(config.MaxPositionEmbeddings, config.HiddenSize, dtype);
        h = new ModuleList<GPT2Block>(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new GPT2Block(config, dtype)).ToArray());
        ln_f = new LayerNorm(config.HiddenSize, config.LayerNormEps, dtype);
        register_module("wte", wte);
        register_module("wpe", wpe);
        register_module("h", h);
        register_module("ln_f", ln_f);
    }

    /// <summary>Hidden states (B, T, E) after <c>ln_f</c>; see <see cref="ICausalLanguageModel.Forward"/>.</summary>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask, Tensor? positionIds, KvCache? cache, BlockInvoker? invoker = null)
    {
        var (b, t) = (inputIds.shape[0], inputIds.shape[1]);
        long past = cache?.Length ?? 0;
        if (past + t > maxPositions)
            throw new ArgumentException($"GPT-2 has {maxPositions} learned positions; {past + t} were requested.", nameof(inputIds));
        positionIds ??= AttentionOps.PositionIds(attentionMask, b, t, past);
        var bias = AttentionOps.CausalBias(attentionMask, t, past, dtype);
        var x = wte.call(inputIds).add_(wpe.call(positionIds));       // (B, T, E)
        for (var i = 0; i < h.Count; i++)
        {
            var ctx = new BlockContext(i, bias, Cache: cache);
            x = invoker is null ? h[i].Forward(x, ctx) : invoker(h[i], x, ctx);
        }
        cache?.Advance((int)t);
        return ln_f.call(x);
    }
}

/// <summary>One GPT-2 block: x += attn(ln_1(x)); x += mlp(ln_2(x)).</summary>
public sealed class GPT2Block : nn.Module, ITransformerBlock
{
    /// <summary>Norm before attention.</summary>
    public readonly LayerNorm ln_1;

    /// <summary>Causal self-attention.</summary>
    public readonly GPT2Attention attn;

    /// <summary>Norm before the MLP.</summary>
    public readonly LayerNorm ln_2;

    /// <summary>MLP.</summary>
    public readonly GPT2Mlp mlp;

    /// <summary>Builds the block.</summary>
    public GPT2Block(ModelConfig config, ScalarType dtype) : base(nameof(GPT2Block))
    {
        ln_1 = new LayerNorm(config.HiddenSize, config.LayerNormEps, dtype);
        attn = new GPT2Attention(config, dtype);
        ln_2 = new LayerNorm(config.HiddenSize, config.LayerNormEps, dtype);
        mlp = new GPT2Mlp(config, dtype);
        register_module("ln_1", ln_1);
        register_module("attn", attn);
        register_module("ln_2", ln_2);
        register_module("mlp", mlp);
    }

    /// <inheritdoc/>
    public Tensor Forward(Tensor hidden, BlockContext context)
    {
        var x = hidden.add(attn.Forward(ln_1.call(hidden), context));
        // Not in place: ln_2 saved x for its backward, so modifying it would break training.
        return x.add(mlp.call(ln_2.call(x)));
    }
}

/// <summary>Multi-head causal self-attention with the fused <c>c_attn</c> (q|k|v) and output <c>c_proj</c>, scaled by 1/√d.</summary>
public sealed class GPT2Attention : nn.Module
{
    /// <summary>Fused q|k|v projection, Conv1D [E, 3E].</summary>
    public readonly Linear c_attn;

    /// <summary>Output projection, Conv1D [E, E].</summary>
    public readonly Linear c_proj;

    readonly int numHeads, headDim, embed;

    /// <summary>Builds the attention.</summary>
    public GPT2Attention(ModelConfig config, ScalarType dtype) : base(nameof(GPT2Attention))
    {
        if (config.GetBool("scale_attn_by_inverse_layer_idx") == true || config.GetBool("scale_attn_weights") == false)
            throw new ModelLoadException($"{config.Source}: GPT-2 attention scaling variants (scale_attn_by_inverse_layer_idx, scale_attn_weights=false) are not supported.", config.Source);
        embed = config.HiddenSize;
        numHeads = config.NumAttentionHeads;
        headDim = embed / numHeads;
        c_attn = new Linear(embed, 3 * embed, hasBias: true, conv1D: true, dtype: dtype);
        c_proj = new Linear(embed, embed, hasBias: true, conv1D: true, dtype: dtype);
        register_module("c_attn", c_attn);
        register_module("c_proj", c_proj);
    }

    /// <summary>(B, T, E) → (B, T, E).</summary>
    public Tensor Forward(Tensor x, BlockContext ctx)
    {
        var (b, t) = (x.shape[0], x.shape[1]);
        var qkv = c_attn.call(x).view(b, t, 3, numHeads, headDim).permute(2, 0, 3, 1, 4); // (3, B, nh, T, hd)
        Tensor q = qkv[0], k = qkv[1], v = qkv[2];
        if (ctx.Cache is { } cache) (k, v) = cache.Append(ctx.LayerIndex, k, v);          // (B, nh, past+T, hd)
        var y = AttentionOps.ScaledDotProduct(q, k, v, ctx.AttentionBias);                  // (B, nh, T, hd)
        return c_proj.call(y.transpose(1, 2).reshape(b, t, embed));
    }
}

/// <summary>GPT-2 MLP: c_proj(act(c_fc(x))), act = <c>activation_function</c> (gelu_new: tanh approximation).</summary>
public sealed class GPT2Mlp : nn.Module<Tensor, Tensor>
{
    /// <summary>Up projection, Conv1D [E, inner].</summary>
    public readonly Linear c_fc;

    /// <summary>Down projection, Conv1D [inner, E].</summary>
    public readonly Linear c_proj;

    readonly Func<Tensor, Tensor> act;

    /// <summary>Builds the MLP.</summary>
    public GPT2Mlp(ModelConfig config, ScalarType dtype) : base(nameof(GPT2Mlp))
    {
        act = Activations.Get(config.HiddenAct, config.Source);
        c_fc = new Linear(config.HiddenSize, config.IntermediateSize, hasBias: true, conv1D: true, dtype: dtype);
        c_proj = new Linear(config.IntermediateSize, config.HiddenSize, hasBias: true, conv1D: true, dtype: dtype);
        register_module("c_fc", c_fc);
        register_module("c_proj", c_proj);
    }

    /// <summary>(…, E) → (…, E).</summary>
    public override Tensor forward(Tensor x) => c_proj.call(act(c_fc.call(x)));
}
