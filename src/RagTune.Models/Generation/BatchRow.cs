namespace RagTune.Models.Generation;

/// <summary>
/// Book-keeping of one row of a <see cref="ContinuousBatcher"/>: where its tokens sit in the shared cache, its own
/// sampler (own seeded generator), stop conditions and streamed text.
/// </summary>
internal sealed class BatchRow(BatchedGeneration generation, TokenSampler sampler, StreamingText? text, HashSet<int> stopIds, int maxNew)
    : IDisposable
{
    readonly List<int> _tokens = [.. generation.Request.PromptIds];

    public BatchedGeneration Generation { get; } = generation;
    public TokenSampler Sampler { get; } = sampler;

    /// <summary>First cache column holding this row's tokens (columns before it belong to earlier occupants: masked).</summary>
    public int Start { get; set; }

    /// <summary>The last sampled token, fed at the next step.</summary>
    public long Next { get; private set; }

    public int Generated { get; private set; }
    public GenerationFinishReason? Finish { get; private set; }

    /// <summary>Prompt and generated ids (for the repetition penalty).</summary>
    public IReadOnlyList<int> Tokens => _tokens;

    public GenerationOptions Options => Generation.Request.Options;

    /// <summary>Takes the token sampled for this row; returns the update to publish (its finish reason set on the last).</summary>
    public GenerationUpdate Accept(int id, TokenLogprobs? logprobs)
    {
        Next = id;
        _tokens.Add(id);
        if (stopIds.Contains(id))
        {
            Finish = GenerationFinishReason.StopToken;
            return new GenerationUpdate(id, text?.Flush(), Finish, logprobs);
        }
        Generated++;
        var (delta, stopped) = text is null ? (null, false) : text.Append(id);
        if (stopped) Finish = GenerationFinishReason.StopString;
        else if (Generated >= maxNew) Finish = GenerationFinishReason.Length;
        if (Finish == GenerationFinishReason.Length && text is not null) delta += text.Flush();
        return new GenerationUpdate(id, delta, Finish, logprobs);
    }

    public void Dispose() => Sampler.Dispose();
}
