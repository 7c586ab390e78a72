namespace RagTune.Models.Tokenization.Training;

/// <summary>A trained byte-level BPE: tokens in id order (special tokens first, then the 256 bytes, then merges) and the merges by rank.</summary>
public sealed record TrainedBpe(IReadOnlyList<string> Vocabulary, IReadOnlyList<(string Left, string Right)> Merges, IReadOnlyList<string> SpecialTokens);
