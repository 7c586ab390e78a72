namespace RagTune.Models.Generation;

/// <summary>
/// The log-probability of one token under the model's next-token distribution (raw logits, before temperature or
/// top-p), and the most likely alternatives at that position — what OpenAI's <c>logprobs</c> fields report.
/// </summary>
/// <param name="TokenId">The token that was generated (or, for prompt tokens, that stood there).</param>
/// <param name="Logprob">Natural log of its probability.</param>
/// <param name="Top">The most likely tokens at that position, most likely first (empty when none were asked for).</param>
public sealed record TokenLogprobs(int TokenId, float Logprob, IReadOnlyList<(int TokenId, float Logprob)> Top);
