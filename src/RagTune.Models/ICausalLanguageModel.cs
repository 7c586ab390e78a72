using static TorchSharp.torch;

namespace RagTune.Models;

/// <summary>A decoder-only language model (Llama family, GPT-2).</summary>
public interface ICausalLanguageModel : IPretrainedModel
{
    /// <summary>
    /// Next-token logits (B, T, V) for <paramref name="inputIds"/> (B, T, int64). <paramref name="attentionMask"/>
    /// (B, past+T; 1 = real token) covers the cached and the new positions. Without <paramref name="positionIds"/>
    /// (B, T), positions come from the mask as Hugging Face <c>generate</c> does (cumsum − 1, pads → 1), so a left-padded
    /// row equals the unpadded sequence; without a mask they are past..past+T−1. With <paramref name="cache"/> the new
    /// keys/values are appended and its length advances by T. The result is in the caller's dispose scope.
    /// </summary>
    Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null);

    /// <summary>
    /// <see cref="Forward"/> that returns the logits of the last position only, (B, 1, V): what generation needs after
    /// a prefill. Models override it to skip the LM head for the other positions (for a 128-token prompt of a small
    /// model that head is ~20 % of the prefill's arithmetic); the default narrows <see cref="Forward"/>'s result.
    /// </summary>
    Tensor ForwardLastPosition(Tensor inputIds, Tensor? attentionMask = null, Tensor? positionIds = null, KvCache? cache = null)
    {
        var logits = Forward(inputIds, attentionMask, positionIds, cache);
        return logits.narrow(1, logits.shape[1] - 1, 1);
    }

    /// <summary>
    /// The hidden states (B, T, H) after the final norm, the input of <see cref="ProjectToVocabulary"/>, for a forward
    /// without cache: training computes its loss from them in row chunks, so that no (B·T, V) logits tensor is ever
    /// whole. The result is in the caller's dispose scope.
    /// </summary>
    Tensor ForwardHidden(Tensor inputIds, Tensor? attentionMask);

    /// <summary>The LM head: hidden states (…, H) → next-token logits (…, V).</summary>
    Tensor ProjectToVocabulary(Tensor hidden);

    /// <summary>A KV cache shaped for this model.</summary>
    KvCache CreateCache(long batchSize, int maxLength);
}
