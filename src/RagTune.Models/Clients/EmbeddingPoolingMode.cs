namespace RagTune.Models.Clients;

/// <summary>Which token vectors make the sentence vector.</summary>
public enum EmbeddingPoolingMode
{
    /// <summary>Mean of the token vectors where the attention mask is 1.</summary>
    Mean,
    /// <summary>The first token's ([CLS]) vector.</summary>
    Cls,
}
