namespace RagTune.Application;

/// <summary>
/// A retrieval evaluation on a BEIR-format dataset: retrieve every judged query from a knowledge base
/// (<see cref="KnowledgeBase"/> + <see cref="Queries"/>) or score an existing run (<see cref="RunIn"/>).
/// </summary>
public sealed record RetrievalEvaluationRequest
{
    /// <summary>Qrels: BEIR TSV <c>query-id corpus-id score</c> with a header line, or TREC 4-column.</summary>
    public required string Qrels { get; init; }
    /// <summary>Knowledge-base folder to retrieve from (not needed with <see cref="RunIn"/>).</summary>
    public string? KnowledgeBase { get; init; }
    /// <summary>BEIR queries.jsonl (not needed with <see cref="RunIn"/>).</summary>
    public string? Queries { get; init; }
    /// <summary>Mode; null: <see cref="RetrieverBuilder.DefaultMode"/> of the knowledge base.</summary>
    public RetrievalMode? Mode { get; init; }
    /// <summary>Documents retrieved per query (recall@100 needs at least 100).</summary>
    public int TopK { get; init; } = 100;
    /// <summary>Write the run here as <c>qid TAB docid TAB score</c> lines.</summary>
    public string? RunOut { get; init; }
    /// <summary>Evaluate this run file instead of retrieving.</summary>
    public string? RunIn { get; init; }
}
