namespace RagTune.Models.Generation;

/// <summary>What a caller submits to a <see cref="ContinuousBatcher"/>.</summary>
/// <param name="PromptIds">The prompt (at least one token).</param>
/// <param name="Options">Sampling and stopping; each row has its own (and its own seeded generator).</param>
/// <param name="TopLogprobs">Null: no log-probabilities. Otherwise every generated token carries its
/// <see cref="TokenLogprobs"/> with this many alternatives (0 = only the chosen token's).</param>
/// <param name="PromptLogprobs">Also compute the log-probability of every prompt token after the first (OpenAI's
/// <c>echo</c> with <c>logprobs</c>), with <paramref name="TopLogprobs"/> alternatives.</param>
/// <param name="Timeout">The longest the request may take from submission (queue wait included). The batcher checks it
/// on its own loop before every step, so it holds however late timer callbacks run on a busy machine: past it, the row
/// is freed (a request still waiting for one is dropped when its turn comes) and the updates end with
/// <see cref="GenerationTimeoutException"/>. Null: no limit.</param>
public sealed record BatchedGenerationRequest(IReadOnlyList<int> PromptIds, GenerationOptions Options, int? TopLogprobs = null,
    bool PromptLogprobs = false, TimeSpan? Timeout = null);
