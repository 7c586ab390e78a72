namespace RagTune.Evaluation.Comparison;

/// <summary>
/// One fact of a <see cref="SyntheticDomain"/>: <paramref name="Subject"/>'s <paramref name="Attribute"/> is
/// <paramref name="Value"/>, stated by <paramref name="Statement"/> in document <paramref name="DocumentId"/> and asked by
/// <paramref name="Question"/>. The value is always the last word of the statement (before " ."), which is what a
/// reader has to copy.
/// </summary>
public sealed record DomainFact(string Id, string Subject, string Attribute, string Value, string Statement, string Question, string DocumentId);
