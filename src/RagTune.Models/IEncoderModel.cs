using static TorchSharp.torch;

namespace RagTune.Models;

/// <summary>A bidirectional encoder (BERT family).</summary>
public interface IEncoderModel : IPretrainedModel
{
    /// <summary>
    /// Hidden states for <paramref name="inputIds"/> (B, T); <paramref name="attentionMask"/> (B, T; 1 = real) masks keys,
    /// <paramref name="tokenTypeIds"/> (B, T) defaults to zeros. The outputs are in the caller's dispose scope.
    /// </summary>
    EncoderOutput Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null);
}
