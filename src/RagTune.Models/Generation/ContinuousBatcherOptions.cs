namespace RagTune.Models.Generation;

/// <summary>Limits of a <see cref="ContinuousBatcher"/>.</summary>
public sealed record ContinuousBatcherOptions
{
    /// <summary>Rows decoded together in one step (the decode kernel handles up to 8 efficiently).</summary>
    public int MaxBatch { get; init; } = 8;

    /// <summary>Requests waiting for a row beyond the active ones; a submit past it throws <see cref="BatcherQueueFullException"/>.</summary>
    public int QueueLimit { get; init; } = 64;

    /// <summary>
    /// Positions per row in the shared KV cache (prompt plus generated tokens); null = the model's context, at most 2048.
    /// A row reaching it finishes with <see cref="GenerationFinishReason.Length"/>.
    /// </summary>
    public int? ContextLength { get; init; }

    /// <summary>Throws on values outside their range.</summary>
    public ContinuousBatcherOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxBatch);
        ArgumentOutOfRangeException.ThrowIfNegative(QueueLimit);
        if (ContextLength is { } c) ArgumentOutOfRangeException.ThrowIfLessThan(c, 2, nameof(ContextLength));
        return this;
    }
}
