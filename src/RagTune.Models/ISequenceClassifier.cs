using static TorchSharp.torch;

namespace RagTune.Models;

/// <summary>A sequence classifier (BERT or Llama with a classification head); labels are in <see cref="IPretrainedModel.Config"/>.</summary>
public interface ISequenceClassifier : IPretrainedModel
{
    /// <summary>Number of classes.</summary>
    int NumLabels { get; }

    /// <summary>Class logits (B, num_labels). Token type ids are ignored by models without them.</summary>
    Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null);
}
