namespace RagTune.Models.Generation;

/// <summary>One generated sequence.</summary>
/// <param name="TokenIds">New tokens only (no prompt). A final stop token id is not included; tokens that make up a
/// stop string are (the text is cut instead).</param>
/// <param name="Text">Decoded new text, cut before a stop string; null when the generator has no tokenizer.</param>
/// <param name="FinishReason">Why generation ended.</param>
/// <param name="PromptTokenCount">Tokens in the prompt (for usage accounting).</param>
public sealed record GenerationResult(IReadOnlyList<int> TokenIds, string? Text, GenerationFinishReason FinishReason, int PromptTokenCount);
