namespace RagTune.Models;

/// <summary>How token embeddings become one sentence embedding (sentence-transformers' <c>Pooling</c> modes).</summary>
public enum PoolingMode
{
    /// <summary>The first token's ([CLS]) hidden state.</summary>
    Cls,

    /// <summary>The mean over real (mask = 1) tokens.</summary>
    Mean,

    /// <summary>The element-wise max over real tokens.</summary>
    Max,

    /// <summary>The last real token's hidden state.</summary>
    LastToken,
}
