using RagTune.Models.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RagTune.Models.Architectures.Bert;

/// <summary>
/// HF <c>BertModel</c>: embeddings, the encoder (<c>encoder.layer.i</c>) and, unless built without it, the pooler.
/// Checkpoints of <c>BertForMaskedLM</c>/<c>BertForPreTraining</c> (keys under <c>bert.</c>, heads under <c>cls.</c>) load
/// too, as do task models' <c>bert.*</c> weights (the heads are ignored). Padding masks keys only, so padded positions still get defined hidden states.
/// </summary>
public sealed class BertModel : PretrainedModel, IEncoderModel
{
    internal readonly BertEmbeddings embeddings;
    internal readonly BertEncoder encoder;
    internal readonly BertPooler? pooler;

    /// <summary>Builds the model with uninitialised parameters.</summary>
    public BertModel(ModelConfig config, ScalarType dtype = ScalarType.Float32, bool addPoolingLayer = true)
        : base(nameof(BertModel), config, dtype)
    {
        embeddings = new BertEmbeddings(config, dtype);
        encoder = new BertEncoder(config, dtype);
        register_module("embeddings", embeddings);
        register_module("encoder", encoder);
        if (addPoolingLayer)
        {
            pooler = new BertPooler(config, dtype);
            register_module("pooler", pooler);
        }
        Blocks = encoder.layer.Cast<ITransformerBlock>().ToList();
    }

    /// <inheritdoc/>
    public override IReadOnlyList<ITransformerBlock> Blocks { get; }

    /// <inheritdoc/>
    public override string? MapCheckpointKey(string key)
    {
        // Task heads of BERT checkpoints (MLM/NSP, classifiers, QA) and the stale position_ids buffer are not part of the base model.
        if (key.StartsWith("cls.", StringComparison.Ordinal) || key.StartsWith("classifier.", StringComparison.Ordinal) ||
            key.StartsWith("qa_outputs.", StringComparison.Ordinal) || key.EndsWith("embeddings.position_ids", StringComparison.Ordinal)) return null;
        var mapped = key.StartsWith("bert.", StringComparison.Ordinal) ? key["bert.".Length..] : key;
        return pooler is null && mapped.StartsWith("pooler.", StringComparison.Ordinal) ? null : mapped; // built without pooler
    }

    /// <inheritdoc/>
    public EncoderOutput Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null)
    {
        using var scope = NewDisposeScope();
        var (hidden, pooled) = Encode(inputIds, attentionMask, tokenTypeIds);
        return new EncoderOutput(hidden.MoveToOuterDisposeScope(), pooled?.MoveToOuterDisposeScope());
    }

    internal (Tensor Hidden, Tensor? Pooled) Encode(Tensor inputIds, Tensor? attentionMask, Tensor? tokenTypeIds)
    {
        using var kernels = Kernels.InferenceKernels.EnterForward(inputIds.numel());
        var bias = AttentionOps.PaddingBias(attentionMask, DType); // (B, 1, 1, T)
        var h = embeddings.Forward(inputIds, tokenTypeIds);        // (B, T, H)
        for (var i = 0; i < Blocks.Count; i++) h = RunBlock(Blocks[i], h, new BlockContext(i, bias));
        return (h, pooler?.call(h));
    }
}

/// <summary>The list of layers (<c>encoder.layer</c>).</summary>
internal sealed class BertEncoder : nn.Module
{
    public readonly ModuleList<BertLayer> layer;

    public BertEncoder(ModelConfig config, ScalarType dtype) : base(nameof(BertEncoder))
    {
        layer = new ModuleList<BertLayer>(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new BertLayer(config, dtype)).ToArray());
        register_module("layer", layer);
    }
}
