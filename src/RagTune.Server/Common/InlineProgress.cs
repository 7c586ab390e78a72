namespace RagTune.Server.Common;

/// <summary>An <see cref="IProgress{T}"/> that runs its handler on the reporting thread, in order (Progress&lt;T&gt; posts to the pool).</summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc/>
    public void Report(T value) => report(value);
}
