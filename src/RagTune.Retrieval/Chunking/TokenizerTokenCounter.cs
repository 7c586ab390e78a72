using RagTune.Models.Tokenization;

namespace RagTune.Retrieval.Chunking;

/// <summary>Exact counts from a model's tokenizer (the embedding model's for chunking, the chat model's for prompts).</summary>
public sealed class TokenizerTokenCounter(ITokenizer tokenizer) : ITokenCounter
{
    readonly ITokenizer _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));

    /// <inheritdoc/>
    public int Count(string text) => text.Length == 0 ? 0 : _tokenizer.Encode(text, addSpecialTokens: false).Count;
}
