namespace RagTune.Retrieval.Generation;

/// <summary>
/// An answer with its citations (distinct, in order of first mention; only numbers that exist among the sources)
/// and the sources shown to the model; <see cref="Abstained"/> when nothing relevant was retrieved or the model
/// said the sources do not contain the answer.
/// </summary>
public sealed record GroundedAnswer(string Text, IReadOnlyList<SourceCitation> Citations, IReadOnlyList<NumberedSource> Sources, bool Abstained);
