namespace RagTune.Application;

/// <summary>
/// An <see cref="IProgress{T}"/> that reports on the caller's thread, in order (<see cref="Progress{T}"/> posts to a
/// synchronization context, so lines could arrive late or out of order).
/// </summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc/>
    public void Report(T value) => report(value);
}
