using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace RagTune.Models.Generation;

/// <summary>
/// One request running in a <see cref="ContinuousBatcher"/>: its updates arrive as the shared decode steps produce
/// them. Cancelling the token given to <see cref="ContinuousBatcher.Submit"/> (or <see cref="Cancel"/>) frees its row
/// before the next step.
/// </summary>
public sealed class BatchedGeneration
{
    readonly Channel<GenerationUpdate> _updates = Channel.CreateUnbounded<GenerationUpdate>(new() { SingleReader = true, SingleWriter = true });
    readonly TaskCompletionSource _admitted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    volatile bool _cancelled;

    readonly long _submitted = System.Diagnostics.Stopwatch.GetTimestamp();

    internal BatchedGeneration(BatchedGenerationRequest request) => Request = request;

    /// <summary>What was submitted.</summary>
    public BatchedGenerationRequest Request { get; }

    /// <summary>Tokens in the prompt.</summary>
    public int PromptTokenCount => Request.PromptIds.Count;

    /// <summary>
    /// Log-probabilities of prompt tokens 1…n−1 (the first has no context), when the request asked for them; set once
    /// the prompt was prefilled (before the first update arrives).
    /// </summary>
    public IReadOnlyList<TokenLogprobs>? PromptLogprobs { get; internal set; }

    /// <summary>Completes when the request got a row and its prompt was prefilled (the first token follows).</summary>
    public Task Admitted => _admitted.Task;

    /// <summary>Frees the row (or the queue place) before the next step; the update stream then ends with <see cref="OperationCanceledException"/>.</summary>
    public void Cancel() => _cancelled = true;

    /// <summary>The error that ends this generation now, if any: a cancellation, or its timeout having passed.</summary>
    internal OperationCanceledException? Ended() =>
        _cancelled ? new OperationCanceledException()
        : Request.Timeout is { } timeout && System.Diagnostics.Stopwatch.GetElapsedTime(_submitted) >= timeout ? new GenerationTimeoutException(timeout)
        : null;

    /// <summary>The updates in order; the last carries the finish reason. Throws what failed the generation.</summary>
    public async IAsyncEnumerable<GenerationUpdate> ReadUpdatesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var reader = _updates.Reader;
        while (true)
        {
            try
            {
                if (!await reader.WaitToReadAsync(cancellationToken)) yield break;
            }
            catch (ChannelClosedException e) when (e.InnerException is not null)
            {
                // The generation failed: surface its own exception, not the channel's wrapper.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            }
            while (reader.TryRead(out var update)) yield return update;
        }
    }

    /// <summary>Reads every update and returns the whole result (text, ids, finish reason).</summary>
    public async Task<(IReadOnlyList<GenerationUpdate> Updates, string Text)> ReadToEndAsync(CancellationToken cancellationToken = default)
    {
        var updates = new List<GenerationUpdate>();
        var text = new System.Text.StringBuilder();
        await foreach (var u in ReadUpdatesAsync(cancellationToken))
        {
            updates.Add(u);
            text.Append(u.TextDelta);
        }
        return (updates, text.ToString());
    }

    internal void MarkAdmitted() => _admitted.TrySetResult();

    internal void Publish(GenerationUpdate update) => _updates.Writer.TryWrite(update);

    internal void Complete(Exception? error = null)
    {
        _admitted.TrySetResult();
        _updates.Writer.TryComplete(error);
    }
}
