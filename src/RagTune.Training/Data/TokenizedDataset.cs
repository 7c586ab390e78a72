namespace RagTune.Training.Data;

/// <summary>Tokenized examples plus what was learnt from the data (class names) and warnings to show the user.</summary>
public sealed record TokenizedDataset(
    IReadOnlyList<TrainingExample> Examples,
    IReadOnlyList<string> ClassNames,
    IReadOnlyList<string> Warnings);
