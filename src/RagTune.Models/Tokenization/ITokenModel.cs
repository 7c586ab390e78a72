namespace RagTune.Models.Tokenization;

/// <summary>The vocabulary model of a tokenizer pipeline (BPE, WordPiece): one pre-token in, ids out.</summary>
internal interface ITokenModel
{
    /// <summary>Size of the model's own vocabulary (without added tokens).</summary>
    int VocabSize { get; }

    void Tokenize(string word, List<int> output);

    int? TokenToId(string token);

    string? IdToToken(int id);
}
