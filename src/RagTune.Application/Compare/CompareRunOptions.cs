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
}
