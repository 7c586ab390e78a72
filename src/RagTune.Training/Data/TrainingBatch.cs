using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Training.Data;

/// <summary>
/// A padded batch: <see cref="InputIds"/> and <see cref="AttentionMask"/> <c>[B, T]</c> (right padding), and
/// <see cref="Labels"/> <c>[B, T]</c> (−100 at pads) for LM tasks or <c>[B]</c> class ids for classification.
/// </summary>
public sealed class TrainingBatch : IDisposable
{
    /// <summary>Token ids <c>[B, T]</c>.</summary>
    public required Tensor InputIds { get; init; }
    /// <summary>1 for real tokens, 0 for padding <c>[B, T]</c>.</summary>
    public required Tensor AttentionMask { get; init; }
    /// <summary>Targets: <c>[B, T]</c> token labels or <c>[B]</c> class ids.</summary>
    public required Tensor Labels { get; init; }
    /// <summary>Real (non-pad) tokens in the batch, for throughput.</summary>
    public long TokenCount { get; init; }

    /// <summary>Pads <paramref name="examples"/> on the right with <paramref name="padId"/>.</summary>
    public static TrainingBatch Collate(IReadOnlyList<TrainingExample> examples, int padId, bool classification)
    {
        var b = examples.Count;
        var t = examples.Max(e => e.InputIds.Length);
        var ids = new long[b * t];
        var mask = new long[b * t];
        var labels = classification ? new long[b] : new long[b * t];
        if (!classification) Array.Fill(labels, TrainingExample.IgnoreIndex);
        Array.Fill(ids, padId);
        long tokens = 0;
        for (var i = 0; i < b; i++)
        {
            var e = examples[i];
            for (var j = 0; j < e.InputIds.Length; j++)
            {
                ids[i * t + j] = e.InputIds[j];
                mask[i * t + j] = 1;
                if (!classification) labels[i * t + j] = e.Labels[j];
            }
            if (classification) labels[i] = e.ClassId;
            tokens += e.InputIds.Length;
        }
        return new TrainingBatch
        {
            InputIds = tensor(ids, [b, t]),
            AttentionMask = tensor(mask, [b, t]),
            Labels = classification ? tensor(labels, [b]) : tensor(labels, [b, t]),
            TokenCount = tokens,
        };
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        Labels.Dispose();
    }
}
