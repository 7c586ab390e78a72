using RagTune.Retrieval.Retrieval;

namespace RagTune.Application;

/// <summary>The chunks a search found, best first, and the mode it ran in.</summary>
public sealed record SearchResult(RetrievalMode Mode, IReadOnlyList<RetrievedChunk> Hits);
