namespace RagTune.Retrieval.Chunking;

/// <summary>
/// The fallback when no tokenizer is known: words × <see cref="TokensPerWord"/> (default 1.3, the usual ratio of
/// WordPiece/BPE tokens to English words), rounded up. Deliberately pessimistic so chunks rarely overflow a model.
/// </summary>
public sealed class WordCountTokenEstimator(double tokensPerWord = 1.3) : ITokenCounter
{
    /// <summary>Estimated tokens per whitespace-separated word.</summary>
    public double TokensPerWord { get; } = tokensPerWord > 0 ? tokensPerWord : throw new ArgumentOutOfRangeException(nameof(tokensPerWord));

    /// <inheritdoc/>
    public int Count(string text)
    {
        var words = 0;
        var inWord = false;
        foreach (var c in text)
        {
            var space = char.IsWhiteSpace(c);
            if (!space && !inWord) words++;
            inWord = !space;
        }
        return (int)Math.Ceiling(words * TokensPerWord);
    }
}
