namespace RagTune.Models.Generation;

/// <summary>Thrown by <see cref="ContinuousBatcher.Submit"/> when every row is busy and the waiting queue is full.</summary>
public sealed class BatcherQueueFullException(int queueLimit)
    : Exception($"The generation queue is full ({queueLimit} requests waiting). HINT: retry shortly, or start the server with a larger queue.")
{
    /// <summary>The queue limit that was reached.</summary>
    public int QueueLimit { get; } = queueLimit;
}
