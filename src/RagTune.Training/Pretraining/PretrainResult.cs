namespace RagTune.Training.Pretraining;

/// <summary>What a <see cref="PretrainRecipe"/> run produced.</summary>
/// <param name="ModelDir">The Hugging Face folder written.</param>
/// <param name="Parameters">Model parameters.</param>
/// <param name="VocabSize">Tokenizer vocabulary size.</param>
/// <param name="Sequences">Training sequences.</param>
/// <param name="Tokens">Tokens in one pass over the training sequences.</param>
/// <param name="Training">The loop's result.</param>
/// <param name="TrainingSeconds">Wall time of the loop.</param>
public sealed record PretrainResult(string ModelDir, long Parameters, int VocabSize, int Sequences, long Tokens, TrainingResult Training, double TrainingSeconds);
