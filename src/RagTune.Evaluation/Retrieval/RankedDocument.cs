namespace RagTune.Evaluation.Retrieval;

/// <summary>One retrieved document of a ranking: its corpus id and the retriever's score (higher is better).</summary>
public readonly record struct RankedDocument(string DocId, double Score);
