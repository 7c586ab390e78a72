namespace RagTune.Application.Compare;

/// <summary>A progress report: the step (e.g. "ingest", "train ft-task", "evaluate rag"), a message, and items done of total when counting.</summary>
public sealed record CompareProgress(string Step, string Message, int Done = 0, int Total = 0)
{
    /// <inheritdoc/>
    public override string ToString() => Total > 0 ? $"{Step}: {Message} ({Done}/{Total})" : $"{Step}: {Message}";
}
