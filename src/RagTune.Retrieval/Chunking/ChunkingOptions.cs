namespace RagTune.Retrieval.Chunking;

/// <summary>Chunk size and overlap in tokens (of the <see cref="ITokenCounter"/> in use).</summary>
public sealed record ChunkingOptions
{
    /// <summary>Largest chunk, in tokens. Default 256: fits a 512-token BERT encoder with room for the query.</summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>Tokens of the previous chunk's tail (whole sentences) repeated at the start of the next. Default 32.</summary>
    public int OverlapTokens { get; init; } = 32;

    /// <summary>Throws when the sizes are inconsistent.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(OverlapTokens);
        if (OverlapTokens >= MaxTokens)
            throw new ArgumentOutOfRangeException(nameof(OverlapTokens), OverlapTokens, $"Overlap must be smaller than MaxTokens ({MaxTokens}).");
    }
}
