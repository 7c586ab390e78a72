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
    /// <see cref="CausalLm"/> from the hidden states (B, T, H) before the LM head: the rows of the
    /// <see cref="LabelledPositions"/> are projected by <paramref name="project"/> (…, H) → (…, V) and scored
    /// <paramref name="chunkRows"/> rows at a time, and the summed losses divided by the labelled-token count: the same
    /// mean over the same tokens, but no logits tensor larger than <paramref name="chunkRows"/> × V ever exists, in the
    /// forward or the backward pass (torchtune's chunked-output cross-entropy, plus the skipping of unlabelled rows).
    /// </summary>
    public static Tensor CausalLmFromHidden(Tensor hidden, Func<Tensor, Tensor> project, Tensor labels, long chunkRows)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkRows);
        using var scope = NewDisposeScope();
        var positions = LabelledPositions(labels).reshape(-1).nonzero().squeeze(1);             // flat b·T + t, t < T−1
        var rows = hidden.reshape(-1, hidden.shape[^1]).index_select(0, positions);                    // (N, H)
        var targets = labels.reshape(-1).index_select(0, positions + 1);                               // (N): label t+1 of the same row
        var n = rows.shape[0];
        if (n == 0) return nn.functional.cross_entropy(project(rows), targets).MoveToOuterDisposeScope();  // NaN, as CausalLm
        Tensor? sum = null;
        for (long start = 0; start < n; start += chunkRows)
        {
            var length = Math.Min(chunkRows, n - start);
            var part = nn.functional.cross_entropy(project(rows.narrow(0, start, length)), targets.narrow(0, start, length),
                                                   reduction: nn.Reduction.Sum);
            sum = sum is null ? part : sum + part;
        }
        return (sum! / n).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Rows per chunk of <see cref="CausalLmFromHidden"/> for a vocabulary of <paramref name="vocabSize"/>: logits blocks
    /// of at most 8 MiB in fp32, at least 256 rows. Why: glibc serves blocks above its mmap threshold (at most 32 MiB) with
    /// fresh pages from the kernel on every allocation, so a whole (B·T, V) logits tensor and its gradients are
    /// page-faulted in every step — at 32 × 208 tokens and V = 2,048 that halved the pre-training speed; blocks under the
    /// threshold are reused from the heap. The floor keeps large-vocabulary models from a long row of tiny matmuls.
    /// </summary>
    public static long ChunkRows(long vocabSize) => Math.Max(256, 8L * 1024 * 1024 / (4 * vocabSize));

    /// <summary>Cross-entropy of class logits <c>[B,C]</c> against class ids <c>[B]</c>.</summary>
    public static Tensor Classification(Tensor logits, Tensor labels) => nn.functional.cross_entropy(logits, labels);

    /// <summary>Number of tokens that contribute to <see cref="CausalLm"/> (for weighting eval means).</summary>
    public static long CountedTokens(Tensor labels) => labels[.., 1..].ne(Data.TrainingExample.IgnoreIndex).sum().item<long>();
}
