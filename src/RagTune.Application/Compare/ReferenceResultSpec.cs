namespace RagTune.Application.Compare;

/// <summary>A published number to show beside ours (<c>reference_results[]</c>: source, arm, metric, value, note).</summary>
public sealed record ReferenceResultSpec(string Source, string Arm, string Metric, double Value, string? Note);
