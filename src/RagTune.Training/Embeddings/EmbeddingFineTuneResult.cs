namespace RagTune.Training.Embeddings;

/// <summary>What a run of <see cref="EmbeddingFineTuneRecipe"/> did.</summary>
/// <param name="Steps">Optimizer steps taken.</param>
/// <param name="FirstLoss">Loss of the first step.</param>
/// <param name="LastLoss">Loss of the last step.</param>
/// <param name="RecallBefore">Recall@k on the held-out pairs before training (null without eval pairs).</param>
/// <param name="RecallAfter">Recall@k on the held-out pairs after training.</param>
public sealed record EmbeddingFineTuneResult(int Steps, double FirstLoss, double LastLoss, double? RecallBefore, double? RecallAfter);
