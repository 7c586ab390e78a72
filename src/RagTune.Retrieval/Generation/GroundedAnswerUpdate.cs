namespace RagTune.Retrieval.Generation;

/// <summary>A streaming step: a text delta while the model writes, then one last update with the full <see cref="Answer"/>.</summary>
public sealed record GroundedAnswerUpdate(string Delta, GroundedAnswer? Answer = null);
