using TorchSharp;
using static TorchSharp.torch;
using Linear = RagTune.Models.Nn.Linear;

namespace RagTune.Models.Architectures.Bert;

/// <summary>HF <c>BertForSequenceClassification</c>: <see cref="BertModel"/> under <c>bert.</c> and <c>classifier</c> on the pooled output.</summary>
public sealed class BertForSequenceClassification : PretrainedModel, ISequenceClassifier
{
    /// <summary>The encoder with pooler.</summary>
    public readonly BertModel bert;

    /// <summary>Classification head [num_labels, H] + bias.</summary>
    public readonly Linear classifier;

    /// <summary>Builds the model with uninitialised parameters.</summary>
    public BertForSequenceClassification(ModelConfig config, ScalarType dtype = ScalarType.Float32)
        : base(nameof(BertForSequenceClassification), config, dtype)
    {
        bert = new BertModel(config, dtype);
        classifier = new Linear(config.HiddenSize, config.NumLabels, hasBias: true, dtype: dtype);
        register_module("bert", bert);
        register_module("classifier", classifier);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<ITransformerBlock> Blocks => bert.Blocks;

    /// <inheritdoc/>
    public int NumLabels => Config.NumLabels;

    /// <inheritdoc/>
    public override string? MapCheckpointKey(string key) =>
        key.EndsWith("embeddings.position_ids", StringComparison.Ordinal) ? null : key;

    /// <inheritdoc/>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null)
    {
        using var scope = NewDisposeScope();
        bert.BlockInvoker = BlockInvoker;
        var (_, pooled) = bert.Encode(inputIds, attentionMask, tokenTypeIds);
        return classifier.call(pooled!).MoveToOuterDisposeScope(); // (B, num_labels)
    }
}
