using TorchSharp;
using static TorchSharp.torch;
using Linear = RagTune.Models.Nn.Linear;

namespace RagTune.Models.Architectures.Gpt2;

/// <summary>
/// HF <c>GPT2LMHeadModel</c>: <see cref="GPT2Model"/> under <c>transformer.</c> and <c>lm_head</c>, which shares
/// <c>transformer.wte.weight</c> (tied, never saved). Checkpoints of the bare <c>GPT2Model</c> (keys without the
/// <c>transformer.</c> prefix) load too.
/// </summary>
public sealed class GPT2LMHeadModel : PretrainedModel, ICausalLanguageModel
{
    static readonly HashSet<string> Tied = ["lm_head.weight"];

    /// <summary>The decoder stack.</summary>
    public readonly GPT2Model transformer;

    /// <summary>Output projection (the token embedding).</summary>
    public readonly Linear lm_head;

    /// <summary>Builds the model with uninitialised parameters.</summary>
    public GPT2LMHeadModel(ModelConfig config, ScalarType dtype = ScalarType.Float32) : base(nameof(GPT2LMHeadModel), config, dtype)
    {
        if (config.GetBool("tie_word_embeddings") == false)
            throw new ModelLoadException($"{config.Source}: GPT-2 with an untied lm_head is not supported.", config.Source);
        transformer = new GPT2Model(config, dtype);
        lm_head = new Linear(transformer.wte.weight);
        register_module("transformer", transformer);
        register_module("lm_head", lm_head);
        Blocks = transformer.h.Cast<ITransformerBlock>().ToList();
    }

    /// <inheritdoc/>
    public override IReadOnlyList<ITransformerBlock> Blocks { get; }

    /// <inheritdoc/>
    public override IReadOnlySet<string> TiedKeys => Tied;

    /// <inheritdoc/>
    public override string? MapCheckpointKey(string key)
    {
        // Old checkpoints carry the causal-mask buffers; HF ignores them too.
        if (key.EndsWith(".attn.bias", StringComparison.Ordinal) || key.EndsWith(".attn.masked_bias", StringComparison.Ordinal)) return null;
        return key.StartsWith("transformer.", StringComparison.Ordinal) || key.StartsWith("lm_head.", StringComparison.Ordinal)
            ? key
            : "transformer." + key;
    }

    /// <inheritdoc/>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null)
    {
        using var scope = NewDisposeScope();
        var h = transformer.Forward(inputIds, attentionMask, positionIds, cache, BlockInvoker); // (B, T, E)
        return lm_head.call(h).MoveToOuterDisposeScope();                                      // (B, T, V)
    }

    /// <inheritdoc/>
    public Tensor ForwardLastPosition(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null)
    {
        using var scope = NewDisposeScope();
        var h = transformer.Forward(inputIds, attentionMask, positionIds, cache, BlockInvoker); // (B, T, E)
        return lm_head.call(h.narrow(1, h.shape[1] - 1, 1)).MoveToOuterDisposeScope();       // (B, 1, V)
    }

    /// <inheritdoc/>
    public Tensor ForwardHidden(Tensor inputIds, Tensor? attentionMask) => transformer.Forward(inputIds, attentionMask, null, null, BlockInvoker);

    /// <inheritdoc/>
    public Tensor ProjectToVocabulary(Tensor hidden) => lm_head.call(hidden);

    /// <inheritdoc/>
    public KvCache CreateCache(long batchSize, int maxLength) =>
        new(NumLayers, batchSize, Config.NumAttentionHeads, Config.HiddenSize / Config.NumAttentionHeads,
            Math.Min(maxLength, Config.MaxPositionEmbeddings), DType);
}
