namespace RagTune.Models.Generation;

/// <summary>
/// How <see cref="TextGenerator"/> picks tokens and when it stops. Sampling follows Hugging Face <c>generate</c>:
/// repetition penalty, then temperature, top-k, top-p, then a draw from the softmax.
/// </summary>
public sealed record GenerationOptions
{
    /// <summary>Upper bound on generated tokens per sequence (the prompt is not counted).</summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>Softmax temperature; 0 (the default) means greedy decoding (argmax), as <c>do_sample=False</c>.</summary>
    public float Temperature { get; init; }

    /// <summary>Keep only the <c>k</c> most likely tokens before sampling; 0 disables.</summary>
    public int TopK { get; init; }

    /// <summary>Nucleus sampling: keep the smallest set of tokens whose probability reaches <c>p</c>; 1 disables.</summary>
    public float TopP { get; init; } = 1f;

    /// <summary>
    /// HF <c>repetition_penalty</c>: the logit of every token already in the sequence (prompt included) is divided
    /// by this value when positive and multiplied when negative; 1 disables.
    /// </summary>
    public float RepetitionPenalty { get; init; } = 1f;

    /// <summary>Seed of the sampling generator; the same seed, prompt and options give the same tokens. Null: random.</summary>
    public long? Seed { get; init; }

    /// <summary>Token ids that end a sequence (not included in the text). Null: the model's and tokenizer's EOS ids.</summary>
    public IReadOnlyList<int>? StopTokenIds { get; init; }

    /// <summary>Strings that end a sequence when they appear in the decoded text; the text is cut where one starts.</summary>
    public IReadOnlyList<string>? StopStrings { get; init; }

    /// <summary>Decode with the KV cache (default); false recomputes the whole sequence each step (for tests).</summary>
    public bool UseKvCache { get; init; } = true;

    /// <summary>The options a caller asks for, validated: throws on values outside their range.</summary>
    public GenerationOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxNewTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(Temperature);
        ArgumentOutOfRangeException.ThrowIfNegative(TopK);
        if (TopP is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "TopP must be in (0, 1].");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(RepetitionPenalty);
        return this;
    }

    /// <summary>True when tokens are drawn at random (temperature &gt; 0) rather than taken greedily.</summary>
    public bool DoSample => Temperature > 0;
}
