using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Training;

/// <summary>The losses of the training tasks.</summary>
public static class TrainingLoss
{
    /// <summary>
    /// Next-token cross-entropy: logits <c>[B,T,V]</c> at position t predict label t+1; positions labelled −100 are
    /// skipped; mean over counted tokens (HF <c>ForCausalLMLoss</c>).
    /// </summary>
    public static Tensor CausalLm(Tensor logits, Tensor labels)
    {
        var v = logits.shape[^1];
        var shifted = logits[.., ..^1, ..].reshape(-1, v);                 // (B·(T-1), V)
        var targets = labels[.., 1..].reshape(-1);                          // (B·(T-1))
        return nn.functional.cross_entropy(shifted, targets, ignore_index: Data.TrainingExample.IgnoreIndex);
    }

    /// <summary>
    /// The positions (B, T, bool) whose next token carries a label: the only rows of the logits <see cref="CausalLm"/>
    /// reads (the last position never does).
    /// </summary>
    public static Tensor LabelledPositions(Tensor labels)
    {
        var next = labels[.., 1..].ne(Data.TrainingExample.IgnoreIndex);                   // (B, T-1)
        return cat([next, zeros(labels.shape[0], 1, ScalarType.Bool, labels.device)], 1);  // (B, T)
    }

    /// <summary>
    /// <see cref="CausalLm"/> from the logits of the <see cref="LabelledPositions"/> only, (N, V) in row-major order:
    /// the same mean over the same tokens.
    /// </summary>
    public static Tensor CausalLmSelected(Tensor selectedLogits, Tensor labels)
    {
        var targets = labels[.., 1..].reshape(-1);
        return nn.functional.cross_entropy(selectedLogits, targets.index_select(0, targets.ne(Data.TrainingExample.IgnoreIndex).nonzero().squeeze(1)));
    }

    /// <summary>Cross-entropy of class logits <c>[B,C]</c> against class ids <c>[B]</c>.</summary>
    public static Tensor Classification(Tensor logits, Tensor labels) => nn.functional.cross_entropy(logits, labels);

    /// <summary>Number of tokens that contribute to <see cref="CausalLm"/> (for weighting eval means).</summary>
    public static long CountedTokens(Tensor labels) => labels[.., 1..].ne(Data.TrainingExample.IgnoreIndex).sum().item<long>();
}
