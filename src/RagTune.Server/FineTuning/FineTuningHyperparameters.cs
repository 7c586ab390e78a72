namespace RagTune.Server.FineTuning;

/// <summary>
/// OpenAI's hyperparameters (<c>n_epochs</c>, <c>batch_size</c>, <c>learning_rate_multiplier</c>) plus RagTune's own:
/// <c>method</c> (lora | full), <c>lora_rank</c>, <c>lora_alpha</c>, <c>target_modules</c>, <c>max_steps</c>,
/// <c>save_every</c>, <c>max_seq_len</c>, <c>seed</c>. Nulls take the defaults of <c>ragtune finetune</c>.
/// </summary>
public sealed record FineTuningHyperparameters
{
    /// <summary>Passes over the data (default 1).</summary>
    public int? NEpochs { get; init; }

    /// <summary>Sequences per micro-batch (default 8).</summary>
    public int? BatchSize { get; init; }

    /// <summary>Multiplies the base learning rate (2e-4 for LoRA, 2e-5 for full fine-tuning).</summary>
    public double? LearningRateMultiplier { get; init; }

    /// <summary>lora (default) or full.</summary>
    public string? Method { get; init; }

    /// <summary>LoRA rank (default 8).</summary>
    public int? LoraRank { get; init; }

    /// <summary>LoRA alpha (default 2 × rank).</summary>
    public double? LoraAlpha { get; init; }

    /// <summary>Module names LoRA attaches to (default: the family's q/v projections; <c>all-linear</c> for all).</summary>
    public IReadOnlyList<string>? TargetModules { get; init; }

    /// <summary>Optimizer steps; overrides the epochs when set.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>Checkpoint every N steps (listed by the checkpoints endpoint; a restart resumes from the newest).</summary>
    public int? SaveEvery { get; init; }

    /// <summary>Longest sequence in tokens (default 512).</summary>
    public int? MaxSeqLen { get; init; }

    /// <summary>Seed of data order, initialisation and dropout (default 42).</summary>
    public int? Seed { get; init; }

    /// <summary>A 400 naming the first field out of range.</summary>
    public void Validate()
    {
        static void Positive(int? v, string name) { if (v is <= 0) throw Common.ApiError.BadRequest($"hyperparameters.{name} must be positive, got {v}.", $"hyperparameters.{name}"); }
        Positive(NEpochs, "n_epochs"); Positive(BatchSize, "batch_size"); Positive(LoraRank, "lora_rank"); Positive(MaxSteps, "max_steps");
        Positive(SaveEvery, "save_every"); Positive(MaxSeqLen, "max_seq_len");
        if (NEpochs > 100) throw Common.ApiError.BadRequest($"hyperparameters.n_epochs must be at most 100, got {NEpochs}.", "hyperparameters.n_epochs");
        if (LearningRateMultiplier is { } m && !(m > 0 && m <= 100))
            throw Common.ApiError.BadRequest($"hyperparameters.learning_rate_multiplier must be in (0, 100], got {m}.", "hyperparameters.learning_rate_multiplier");
        if (LoraAlpha is <= 0) throw Common.ApiError.BadRequest($"hyperparameters.lora_alpha must be positive, got {LoraAlpha}.", "hyperparameters.lora_alpha");
        if (Method is not (null or "lora" or "full"))
            throw Common.ApiError.BadRequest($"hyperparameters.method must be 'lora' or 'full', got '{Method}'.", "hyperparameters.method");
        if (TargetModules?.Any(t => !Common.SafeNames.IsValidName(t)) == true)
            throw Common.ApiError.BadRequest("hyperparameters.target_modules must be module names like q_proj or all-linear.", "hyperparameters.target_modules");
    }
}
