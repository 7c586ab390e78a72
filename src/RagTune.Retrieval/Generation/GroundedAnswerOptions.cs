using RagTune.Retrieval.Chunking;
using RagTune.Retrieval.Retrieval;

namespace RagTune.Retrieval.Generation;

/// <summary>Settings of grounded question answering.</summary>
public sealed record GroundedAnswerOptions
{
    /// <summary>The chat model's context window in tokens. Default 2048.</summary>
    public int ContextTokens { get; init; } = 2048;

    /// <summary>Tokens kept free for the answer (also the max output tokens asked for). Default 384.</summary>
    public int AnswerTokens { get; init; } = 384;

    /// <summary>Counts prompt tokens; use the chat model's tokenizer (<see cref="TokenizerTokenCounter"/>). Default: word estimate.</summary>
    public ITokenCounter TokenCounter { get; init; } = new WordCountTokenEstimator();

    /// <summary>Tokens reserved per message for the chat template's role markers. Default 8.</summary>
    public int TemplateTokensPerMessage { get; init; } = 8;

    /// <summary>Retrieval settings (top-k, filter, relevance threshold: nothing above it ⇒ abstain).</summary>
    public RetrievalOptions Retrieval { get; init; } = new() { TopK = 5 };

    /// <summary>The answer when the sources do not contain one; also what the model is told to say.</summary>
    public string AbstainText { get; init; } = "Not found in the sources.";

    /// <summary>Sampling temperature asked of the chat model. Default 0 (greedy: answers stick to the sources).</summary>
    public float Temperature { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ContextTokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(AnswerTokens);
        if (AnswerTokens >= ContextTokens)
            throw new ArgumentOutOfRangeException(nameof(AnswerTokens), AnswerTokens, $"AnswerTokens must be below ContextTokens ({ContextTokens}).");
        ArgumentNullException.ThrowIfNull(TokenCounter);
        ArgumentException.ThrowIfNullOrWhiteSpace(AbstainText);
    }
}
