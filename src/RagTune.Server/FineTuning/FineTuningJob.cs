namespace RagTune.Server.FineTuning;

/// <summary>
/// A fine-tuning job in OpenAI's shape (<c>fine_tuning.job</c>), persisted as <c>job.json</c> in the job's folder.
/// Status: validating_files → queued → running → succeeded | failed | cancelled.
/// </summary>
public sealed record FineTuningJob
{
    /// <summary><c>ftjob-…</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Always <c>fine_tuning.job</c>.</summary>
    public string Object => "fine_tuning.job";

    /// <summary>Unix seconds.</summary>
    public long CreatedAt { get; init; }

    /// <summary>Unix seconds when it ended.</summary>
    public long? FinishedAt { get; init; }

    /// <summary>Unix seconds of the training start.</summary>
    public long? StartedAt { get; init; }

    /// <summary>The base model id.</summary>
    public required string Model { get; init; }

    /// <summary>The id of the resulting model in <c>/v1/models</c>, once succeeded.</summary>
    public string? FineTunedModel { get; init; }

    /// <summary>Always <c>ragtune</c>.</summary>
    public string OrganizationId => "ragtune";

    /// <summary>validating_files | queued | running | succeeded | failed | cancelled.</summary>
    public string Status { get; init; } = "validating_files";

    /// <summary>The hyperparameters asked for.</summary>
    public FineTuningHyperparameters Hyperparameters { get; init; } = new();

    /// <summary>The training file id.</summary>
    public required string TrainingFile { get; init; }

    /// <summary>The validation file id, or null.</summary>
    public string? ValidationFile { get; init; }

    /// <summary>Result file ids (none: the model is served instead).</summary>
    public IReadOnlyList<string> ResultFiles { get; init; } = [];

    /// <summary>Tokens trained on (from the metrics), once known.</summary>
    public long? TrainedTokens { get; init; }

    /// <summary>Why it failed: OpenAI's <c>{code, message, param}</c>.</summary>
    public FineTuningError? Error { get; init; }

    /// <summary>Suffix of the fine-tuned model id.</summary>
    public string? Suffix { get; init; }

    /// <summary>Seed passed to training.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>sft or causal, from the training file's records.</summary>
    public string Task { get; init; } = "sft";

    /// <summary>Latest training metrics (step, loss, tokens/s), for the list views.</summary>
    public FineTuningMetrics? LatestMetrics { get; init; }

    /// <summary>True when the job is finished (succeeded, failed, cancelled).</summary>
    public bool IsFinished => Status is "succeeded" or "failed" or "cancelled";
}

