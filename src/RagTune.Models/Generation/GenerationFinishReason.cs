namespace RagTune.Models.Generation;

/// <summary>Why a sequence stopped growing.</summary>
public enum GenerationFinishReason
{
    /// <summary><see cref="GenerationOptions.MaxNewTokens"/> (or the model's context) was reached.</summary>
    Length,
    /// <summary>A stop token id (EOS) was generated.</summary>
    StopToken,
    /// <summary>A stop string appeared in the decoded text.</summary>
    StopString,
}
