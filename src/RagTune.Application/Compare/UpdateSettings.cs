namespace RagTune.Application.Compare;

/// <summary>
/// The config's optional <c>update</c>: changed documents (a file with the same name as an original replaces it, a new
/// name is added) and questions about the changed facts, asked after the knowledge base is re-ingested.
/// </summary>
public sealed record UpdateSettings
{
    /// <summary>Changed document files or folders.</summary>
    public IReadOnlyList<string> Documents { get; init; } = [];
    /// <summary>Test JSONL on the changed facts.</summary>
    public required string Test { get; init; }
}
