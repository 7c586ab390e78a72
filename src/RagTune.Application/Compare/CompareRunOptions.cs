namespace RagTune.Application.Compare;

/// <summary>Per-run switches of <see cref="CompareRunner"/>.</summary>
public sealed record CompareRunOptions
{
    /// <summary>Overrides the config's seed (<c>--seed</c>).</summary>
    public int? Seed { get; init; }
    /// <summary>Re-run every arm even when a cached result with the same arm config exists (<c>--force</c>).</summary>
    public bool Force { get; init; }
    /// <summary>Overrides the folder relative paths resolve against (default: the config file's folder).</summary>
    public string? BaseDirectory { get; init; }
    /// <summary>Bootstrap resamples per interval (at least 1,000).</summary>
    public int BootstrapResamples { get; init; } = 2000;
    /// <summary>
    /// A folder shared by several runs for the arms' trained models, one subfolder per (arm, training hash): runs over the
    /// same base model, data and settings train once (the demo's QA and multiple-choice comparisons). Default: the run's
    /// own <c>models/</c>.
    /// </summary>
    public string? ModelCacheDir { get; init; }
    /// <summary>How models are opened: the API key of an OpenAI-compatible endpoint, local weights' precision.</summary>
    public ModelClientOptions Models { get; init; } = new();
}
