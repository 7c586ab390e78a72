namespace RagTune.Evaluation.Compare.Reports;

/// <summary>One metric of one arm: its value and, for quality metrics, the 95% bootstrap interval (null for costs).</summary>
public sealed record MetricValue(double Value, double? CiLow = null, double? CiHigh = null, int? N = null);
