namespace RagTune.Models.Generation;

/// <summary>
/// Ends the updates of a <see cref="BatchedGeneration"/> that ran past its request's
/// <see cref="BatchedGenerationRequest.Timeout"/>. A cancellation (callers that treat every cancellation alike need no
/// new case), told apart from a client's own by its type.
/// </summary>
public sealed class GenerationTimeoutException(TimeSpan timeout)
    : OperationCanceledException($"The generation took longer than its timeout ({timeout.TotalMilliseconds:0} ms) and was stopped.")
{
    /// <summary>The request's timeout.</summary>
    public TimeSpan Timeout { get; } = timeout;
}
