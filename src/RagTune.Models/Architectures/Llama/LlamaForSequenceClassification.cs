using TorchSharp;
using static TorchSharp.torch;
using Linear = RagTune.Models.Nn.Linear;

namespace RagTune.Models.Architectures.Llama;

/// <summary>
/// HF <c>LlamaForSequenceClassification</c> (also Mistral/Qwen2): <see cref="LlamaModel"/> under <c>model.</c> and a
/// bias-free <c>score</c> head [num_labels, H] applied to the hidden state of each row's last real token — the rightmost
/// token that is not <c>pad_token_id</c> (or, without a pad id, the rightmost position with attention mask 1).
/// </summary>
public sealed class LlamaForSequenceClassification : PretrainedModel, ISequenceClassifier
{
    /// <summary>The decoder stack.</summary>
    public readonly LlamaModel model;

    /// <summary>Classification head (no bias).</summary>
    public readonly Linear score;

    /// <summary>Builds the model with uninitialised parameters.</summary>
    public LlamaForSequenceClassification(ModelConfig config, ScalarType dtype = ScalarType.Float32)
        : this(config, dtype, nameof(LlamaForSequenceClassification)) { }

    internal LlamaForSequenceClassification(ModelConfig config, ScalarType dtype, string architecture) : base(architecture, config, dtype)
    {
        model = new LlamaModel(config, dtype);
        score = new Linear(config.HiddenSize, config.NumLabels, dtype: dtype);
        register_module("model", model);
        register_module("score", score);
        Blocks = model.layers.Cast<ITransformerBlock>().ToList();
    }

    /// <inheritdoc/>
    public override IReadOnlyList<ITransformerBlock> Blocks { get; }

    /// <inheritdoc/>
    public int NumLabels => Config.NumLabels;

    /// <inheritdoc/>
    public override string? MapCheckpointKey(string key) =>
        key.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal) ? null : key;

    /// <inheritdoc/>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null)
    {
        using var scope = NewDisposeScope();
        var (b, t) = (inputIds.shape[0], inputIds.shape[1]);
        var h = model.Forward(inputIds, attentionMask, null, null, BlockInvoker);            // (B, T, H)
        Tensor? real = Config.PadTokenId is { } pad ? inputIds.ne(pad) : attentionMask?.ne(0); // (B, T) bool
        var last = real is null
            ? full(new[] { b }, t - 1, ScalarType.Int64)
            : real.to_type(ScalarType.Int64).mul(arange(0, t, ScalarType.Int64)).argmax(-1); // rightmost real token
        var pooled = h[arange(0, b, ScalarType.Int64), last];                                 // (B, H)
        return score.call(pooled).MoveToOuterDisposeScope();                                  // (B, num_labels)
    }
}
