using RagTune.Models.Nn;
using TorchSharp;
using static TorchSharp.torch;
using Embedding = RagTune.Models.Nn.Embedding;
using LayerNorm = RagTune.Models.Nn.LayerNorm;
using Linear = RagTune.Models.Nn.Linear;

namespace RagTune.Models.Architectures.Bert;

/// <summary>
/// One BERT encoder layer (Devlin et al. 2018, https://arxiv.org/abs/1810.04805; post-LayerNorm as in Vaswani et al.
/// 2017): h = LN(h + attn(h)); h = LN(h + W₂·gelu(W₁·h)). Names: <c>attention.self.{query,key,value}</c>,
/// <c>attention.output.{dense,LayerNorm}</c>, <c>intermediate.dense</c>, <c>output.{dense,LayerNorm}</c>.
/// </summary>
public sealed class BertLayer : nn.Module, ITransformerBlock
{
    internal readonly BertAttention attention;
    internal readonly BertIntermediate intermediate;
    internal readonly BertAddNorm output;

    /// <summary>Builds the layer.</summary>
    public BertLayer(ModelConfig config, ScalarType dtype) : base(nameof(BertLayer))
    {
        attention = new BertAttention(config, dtype);
        intermediate = new BertIntermediate(config, dtype);
        output = new BertAddNorm(config.IntermediateSize, config.HiddenSize, config.LayerNormEps, dtype);
        register_module("attention", attention);
        register_module("intermediate", intermediate);
        register_module("output", output);
    }

    /// <inheritdoc/>
    public Tensor Forward(Tensor hidden, BlockContext context)
    {
        var a = attention.Forward(hidden, context.AttentionBias);   // (B, T, H)
        return output.Forward(intermediate.call(a), a);
    }
}

/// <summary>Word + position + token-type embeddings, then LayerNorm.</summary>
internal sealed class BertEmbeddings : nn.Module
{
    public readonly Embedding word_embeddings, position_embeddings, token_type_embeddings;
    public readonly LayerNorm LayerNorm;

    public BertEmbeddings(ModelConfig config, ScalarType dtype) : base(nameof(BertEmbeddings))
    {
        if ((config.GetString("position_embedding_type") ?? "absolute") != "absolute")
            throw new ModelLoadException($"{config.Source}: only absolute position embeddings are supported.", config.Source);
        word_embeddings = new Embedding(config.VocabSize, config.HiddenSize, dtype);
        position_embeddings = new Embedding(config.MaxPositionEmbeddings, config.HiddenSize, dtype);
        token_type_embeddings = new Embedding(config.TypeVocabSize, config.HiddenSize, dtype);
        LayerNorm = new LayerNorm(config.HiddenSize, config.LayerNormEps, dtype);
        register_module("word_embeddings", word_embeddings);
        register_module("position_embeddings", position_embeddings);
        register_module("token_type_embeddings", token_type_embeddings);
        register_module("LayerNorm", LayerNorm);
    }

    public Tensor Forward(Tensor inputIds, Tensor? tokenTypeIds)
    {
        var (b, t) = (inputIds.shape[0], inputIds.shape[1]);
        var positions = arange(0, t, ScalarType.Int64).unsqueeze(0);                       // (1, T)
        tokenTypeIds ??= zeros(b, t, ScalarType.Int64);
        var e = word_embeddings.call(inputIds).add_(token_type_embeddings.call(tokenTypeIds)).add_(position_embeddings.call(positions));
        return LayerNorm.call(e);                                                           // (B, T, H)
    }
}

/// <summary>Self-attention (<c>self</c>) followed by its output projection and residual LayerNorm (<c>output</c>).</summary>
internal sealed class BertAttention : nn.Module
{
    public readonly BertSelfAttention self;
    public readonly BertAddNorm output;

    public BertAttention(ModelConfig config, ScalarType dtype) : base(nameof(BertAttention))
    {
        self = new BertSelfAttention(config, dtype);
        output = new BertAddNorm(config.HiddenSize, config.HiddenSize, config.LayerNormEps, dtype);
        register_module("self", self);
        register_module("output", output);
    }

    public Tensor Forward(Tensor hidden, Tensor? bias) => output.Forward(self.Forward(hidden, bias), hidden);
}

/// <summary>
/// Bidirectional multi-head attention with query/key/value projections; the bias masks padded keys. On inputs of at
/// least <see cref="FusedProjectionRows"/> tokens the three projections run as one GEMM over the weights concatenated
/// for the call (the parameters stay Hugging Face's three, so saving, fine-tuning and adapters see no difference).
/// </summary>
internal sealed class BertSelfAttention : nn.Module
{
    /// <summary>
    /// Tokens (batch × length) from which one fused q/k/v GEMM beats three: concatenating the weights costs about
    /// as much as a 500-token projection saves (measured on 2 AVX2 cores), so short inputs such as one query keep three.
    /// </summary>
    internal const long FusedProjectionRows = 1024;

    public readonly Linear query, key, value;
    readonly int numHeads, headDim;

    public BertSelfAttention(ModelConfig config, ScalarType dtype) : base(nameof(BertSelfAttention))
    {
        numHeads = config.NumAttentionHeads;
        headDim = config.HiddenSize / numHeads;
        query = new Linear(config.HiddenSize, config.HiddenSize, hasBias: true, dtype: dtype);
        key = new Linear(config.HiddenSize, config.HiddenSize, hasBias: true, dtype: dtype);
        value = new Linear(config.HiddenSize, config.HiddenSize, hasBias: true, dtype: dtype);
        register_module("query", query);
        register_module("key", key);
        register_module("value", value);
    }

    public Tensor Forward(Tensor x, Tensor? bias, bool? fuse = null)
    {
        var (b, t) = (x.shape[0], x.shape[1]);
        Tensor q, k, v;
        // Our packed GEMM (AVX-512) takes the three projections faster than one libtorch GEMM over concatenated weights.
        if (fuse ?? (b * t >= FusedProjectionRows && CanFuse(x) && !FloatProjection.Applies(query, x.dtype, b * t)))
        {
            // [Wqᵀ | Wkᵀ | Wvᵀ] (H, 3H): x·W as a plain (not transposed) GEMM with the bias fused, then per-head views.
            var w = cat([query.weight.t(), key.weight.t(), value.weight.t()], 1);
            var bqkv = cat([query.bias!, key.bias!, value.bias!], 0);
            var qkv = addmm(bqkv, x.reshape(b * t, x.shape[2]), w, 1, 1).view(b, t, 3, numHeads, headDim); // (B, T, 3, nh, hd)
            (q, k, v) = (qkv.select(2, 0).transpose(1, 2), qkv.select(2, 1).transpose(1, 2), qkv.select(2, 2).transpose(1, 2)); // (B, nh, T, hd)
        }
        else
        {
            q = query.call(x).view(b, t, numHeads, headDim).transpose(1, 2); // (B, nh, T, hd)
            k = key.call(x).view(b, t, numHeads, headDim).transpose(1, 2);
            v = value.call(x).view(b, t, numHeads, headDim).transpose(1, 2);
        }
        var y = AttentionOps.ScaledDotProduct(q, k, v, bias);                 // (B, nh, T, hd)
        return y.transpose(1, 2).reshape(b, t, numHeads * headDim);
    }

    /// <summary>Plain float projections in the input's type, no adapters (LoRA), no int8 blocks.</summary>
    bool CanFuse(Tensor x) => new[] { query, key, value }.All(p =>
        p.Adapter is null && p.weight_scale is null && !p.IsConv1D && p.bias is not null && p.weight.dtype == x.dtype && p.bias.dtype == x.dtype);
}

/// <summary><c>intermediate</c>: act(dense(h)).</summary>
internal sealed class BertIntermediate : nn.Module<Tensor, Tensor>
{
    public readonly Linear dense;
    readonly Func<Tensor, Tensor> act;

    public BertIntermediate(ModelConfig config, ScalarType dtype) : base(nameof(BertIntermediate))
    {
        act = Activations.Get(config.HiddenAct, config.Source);
        dense = new Linear(config.HiddenSize, config.IntermediateSize, hasBias: true, dtype: dtype);
        register_module("dense", dense);
    }

    public override Tensor forward(Tensor x) => act(dense.call(x));
}

/// <summary>LayerNorm(dense(x) + residual): BERT's <c>attention.output</c> and <c>output</c>.</summary>
internal sealed class BertAddNorm : nn.Module
{
    public readonly Linear dense;
    public readonly LayerNorm LayerNorm;

    public BertAddNorm(long inFeatures, long hidden, double eps, ScalarType dtype) : base(nameof(BertAddNorm))
    {
        dense = new Linear(inFeatures, hidden, hasBias: true, dtype: dtype);
        LayerNorm = new LayerNorm(hidden, eps, dtype);
        register_module("dense", dense);
        register_module("LayerNorm", LayerNorm);
    }

    public Tensor Forward(Tensor x, Tensor residual) => LayerNorm.call(dense.call(x).add_(residual));
}

/// <summary><c>pooler</c>: tanh(dense(h[:, 0])).</summary>
internal sealed class BertPooler : nn.Module<Tensor, Tensor>
{
    public readonly Linear dense;

    public BertPooler(ModelConfig config, ScalarType dtype) : base(nameof(BertPooler))
    {
        dense = new Linear(config.HiddenSize, config.HiddenSize, hasBias: true, dtype: dtype);
        register_module("dense", dense);
    }

    public override Tensor forward(Tensor hidden) => dense.call(hidden.select(1, 0)).tanh(); // (B, H)
}
