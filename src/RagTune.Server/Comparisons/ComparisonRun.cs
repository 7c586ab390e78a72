namespace RagTune.Server.Comparisons;

/// <summary>A comparison run (<c>ragtune compare</c> in a child process), persisted as <c>run.json</c> in its folder.</summary>
public sealed record ComparisonRun
{
    /// <summary><c>cmp-…</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Always <c>comparison.run</c>.</summary>
    public string Object => "comparison.run";

    /// <summary>Optional display name.</summary>
    public string? Name { get; init; }

    /// <summary>queued | running | succeeded | failed | cancelled.</summary>
    public string Status { get; init; } = "queued";

    /// <summary>Unix seconds.</summary>
    public long CreatedAt { get; init; }

    /// <summary>Unix seconds when it ended.</summary>
    public long? FinishedAt { get; init; }

    /// <summary>The config file name in the run folder (<c>config.json</c> or <c>config.yaml</c>).</summary>
    public required string ConfigFile { get; init; }

    /// <summary>The latest progress line from the child's stderr.</summary>
    public string? Progress { get; init; }

    /// <summary>Why it failed.</summary>
    public string? Error { get; init; }

    /// <summary>Report files present once succeeded (report.json, report.html, report.md).</summary>
    public IReadOnlyList<string> Reports { get; init; } = [];

    /// <summary>True when finished.</summary>
    public bool IsFinished => Status is "succeeded" or "failed" or "cancelled";
}
