namespace RagTune.Models.Generation;

/// <summary>One step of a streamed generation.</summary>
/// <param name="TokenId">The token generated in this step.</param>
/// <param name="TextDelta">Text that became final with this token (may be empty while a multi-byte character or a
/// possible stop string is incomplete); null without a tokenizer.</param>
/// <param name="FinishReason">Set on the last update.</param>
/// <param name="Logprobs">The token's log-probability and alternatives, when the caller asked for them.</param>
public sealed record GenerationUpdate(int TokenId, string? TextDelta, GenerationFinishReason? FinishReason = null, TokenLogprobs? Logprobs = null);
