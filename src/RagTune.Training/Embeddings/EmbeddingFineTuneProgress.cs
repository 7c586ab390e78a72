namespace RagTune.Training.Embeddings;

/// <summary>Progress of <see cref="EmbeddingFineTuneRecipe"/>: a step's loss, or a message (options, evaluation, saving).</summary>
/// <param name="Step">Optimizer steps done.</param>
/// <param name="TotalSteps">Steps planned.</param>
/// <param name="Loss">The last step's loss, or null for a message.</param>
/// <param name="Message">Text for the user, or null for a step.</param>
public sealed record EmbeddingFineTuneProgress(int Step, int TotalSteps, double? Loss, string? Message);
