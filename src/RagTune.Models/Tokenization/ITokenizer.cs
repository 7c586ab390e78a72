namespace RagTune.Models.Tokenization;

/// <summary>
/// Text ↔ token ids exactly as the Hugging Face tokenizer of a checkpoint does it.
/// </summary>
public interface ITokenizer
{
    /// <summary>Number of ids the tokenizer can produce (base vocabulary plus added tokens).</summary>
    int VocabSize { get; }

    int? BosTokenId { get; }
    int? EosTokenId { get; }
    int? PadTokenId { get; }

    /// <summary>
    /// Ids for <paramref name="text"/>. With <paramref name="addSpecialTokens"/> the tokenizer's post-processing
    /// applies (BOS for Llama-style, [CLS] … [SEP] for BERT, nothing for GPT-2), as <c>tokenizer(text)</c> does.
    /// </summary>
    IReadOnlyList<int> Encode(string text, bool addSpecialTokens = true);

    /// <summary>Text for <paramref name="ids"/>, as <c>tokenizer.decode(ids)</c> does.</summary>
    string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false);

    /// <summary>The id of a token string (vocabulary or added token), or null.</summary>
    int? TokenToId(string token);

    /// <summary>The token string of an id, or null when out of range.</summary>
    string? IdToToken(int id);
}
