namespace RagTune.Evaluation.Compare.Reports;

/// <summary>A published number shown beside ours (e.g. Ovadia et al. 2024's multiple-choice accuracies per arm).</summary>
public sealed record ReferenceResult
{
    /// <summary>Where it was published.</summary>
    public required string Source { get; init; }
    /// <summary>Our arm it corresponds to.</summary>
    public required string Arm { get; init; }
    /// <summary>Metric name (ours).</summary>
    public required string Metric { get; init; }
    /// <summary>The published value (0..1 for rates).</summary>
    public double Value { get; init; }
    /// <summary>Conditions (model, dataset).</summary>
    public string? Note { get; init; }
}
