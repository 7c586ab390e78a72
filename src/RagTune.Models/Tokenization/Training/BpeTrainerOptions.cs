namespace RagTune.Models.Tokenization.Training;

/// <summary>Settings of <see cref="BpeTrainer"/>.</summary>
public sealed record BpeTrainerOptions
{
    /// <summary>Final vocabulary size: special tokens + the 256 byte symbols + merges (fewer when the corpus runs out of pairs).</summary>
    public int VocabSize { get; init; } = 2048;

    /// <summary>Pairs seen fewer times than this are never merged.</summary>
    public int MinFrequency { get; init; } = 2;

    /// <summary>Special tokens, given the first ids in this order (never split, never produced by merges).</summary>
    public IReadOnlyList<string> SpecialTokens { get; init; } = [];

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(VocabSize, 256 + SpecialTokens.Count, nameof(VocabSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MinFrequency, nameof(MinFrequency));
        if (SpecialTokens.Distinct(StringComparer.Ordinal).Count() != SpecialTokens.Count)
            throw new ArgumentException("special tokens must be distinct.", nameof(SpecialTokens));
    }
}
