using TorchSharp;
using static TorchSharp.torch;
using Linear = RagTune.Models.Nn.Linear;

namespace RagTune.Models.Architectures.Llama;

/// <summary>
/// HF <c>LlamaForCausalLM</c> (also Mistral, Qwen2, SmolLM2): <see cref="LlamaModel"/> under <c>model.</c> and the
/// <c>lm_head</c> projection, which shares <c>model.embed_tokens.weight</c> when <c>tie_word_embeddings</c> is set.
/// </summary>
public sealed class LlamaForCausalLM : PretrainedModel, ICausalLanguageModel
{
    /// <summary>The decoder stack.</summary>
    public readonly LlamaModel model;

    /// <summary>Output projection [V, H] (tied or not).</summary>
    public readonly Linear lm_head;

    readonly IReadOnlySet<string> tied;

    /// <summary>Builds the model with uninitialised parameters.</summary>
    public LlamaForCausalLM(ModelConfig config, ScalarType dtype = ScalarType.Float32) : this(config, dtype, "LlamaForCausalLM") { }

    internal LlamaForCausalLM(ModelConfig config, ScalarType dtype, string architecture) : base(architecture, config, dtype)
    {
        model = new LlamaModel(config, dtype);
        lm_head = config.TieWordEmbeddings
            ? new Linear(model.embed_tokens.weight)
            : new Linear(config.HiddenSize, config.VocabSize, dtype: dtype);
        tied = config.TieWordEmbeddings ? new HashSet<string> { "lm_head.weight" } : new HashSet<string>();
        register_module("model", model);
        register_module("lm_head", lm_head);
        Blocks = model.layers.Cast<ITransformerBlock>().ToList();
    }

    /// <summary>
    /// Whether cached single-token steps of this model run <see cref="LlamaDecodeStep"/> when it applies (default on;
    /// a setting of this model, not of the process: see <see cref="ModelLoadOptions.DecodeKernel"/>).
    /// </summary>
    public bool UseDecodeKernel { get; set; } = true;

    /// <inheritdoc/>
    public override IReadOnlyList<ITransformerBlock> Blocks { get; }

    /// <inheritdoc/>
    public override IReadOnlySet<string> TiedKeys => tied;

    /// <inheritdoc/>
    public override string? MapCheckpointKey(string key) =>
        key.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal) ? null : key; // stale buffer in old checkpoints

    /// <inheritdoc/>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null)
    {
        if (LlamaDecodeStep.TryForward(this, inputIds, attentionMask, positionIds, cache) is { } logits) return logits;
        using var scope = NewDisposeScope();
        var h = model.Forward(inputIds, attentionMask, positionIds, cache, BlockInvoker); // (B, T, H)
        return lm_head.call(h).MoveToOuterDisposeScope();                                // (B, T, V)
    }

    /// <inheritdoc/>
    public Tensor ForwardLastPosition(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null)
    {
        if (LlamaDecodeStep.TryForward(this, inputIds, attentionMask, positionIds, cache) is { } logits) return logits;
        using var scope = NewDisposeScope();
        var h = model.Forward(inputIds, attentionMask, positionIds, cache, BlockInvoker); // (B, T, H)
        return lm_head.call(h.narrow(1, h.shape[1] - 1, 1)).MoveToOuterDisposeScope();   // (B, 1, V)
    }

    /// <inheritdoc/>
    public Tensor ForwardHidden(Tensor inputIds, Tensor? attentionMask) => model.Forward(inputIds, attentionMask, null, null, BlockInvoker);

    /// <inheritdoc/>
    public Tensor ProjectToVocabulary(Tensor hidden) => lm_head.call(hidden);

    /// <inheritdoc/>
    public KvCache CreateCache(long batchSize, int maxLength) =>
        new(NumLayers, batchSize, Config.NumKeyValueHeads, Config.HeadDim, maxLength, DType);
}
