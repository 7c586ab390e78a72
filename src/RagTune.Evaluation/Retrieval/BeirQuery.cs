namespace RagTune.Evaluation.Retrieval;

/// <summary>A query of a BEIR dataset: <c>{"_id": …, "text": …}</c> in <c>queries.jsonl</c>.</summary>
public sealed record BeirQuery(string Id, string Text);
