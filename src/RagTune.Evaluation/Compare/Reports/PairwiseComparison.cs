namespace RagTune.Evaluation.Compare.Reports;

/// <summary>
/// A paired comparison of arms <see cref="A"/> and <see cref="B"/> on one metric over the same items: the difference
/// a − b, its paired bootstrap interval, the raw p-value of <see cref="Test"/> and the Holm-adjusted one.
/// </summary>
public sealed record PairwiseComparison
{
    /// <summary>First arm.</summary>
    public required string A { get; init; }
    /// <summary>Second arm.</summary>
    public required string B { get; init; }
    /// <summary>Metric name.</summary>
    public required string Metric { get; init; }
    /// <summary>value(a) − value(b).</summary>
    public double Diff { get; init; }
    /// <summary>Paired 95% bootstrap interval of the difference.</summary>
    public double CiLow { get; init; }
    /// <summary>Upper end of the interval.</summary>
    public double CiHigh { get; init; }
    /// <summary>Unadjusted two-sided p-value.</summary>
    public double PValue { get; init; }
    /// <summary>Holm-adjusted p-value (family: every pair on this metric).</summary>
    public double PHolm { get; init; }
    /// <summary><c>mcnemar_exact</c> (0/1 scores) or <c>paired_randomization</c>.</summary>
    public required string Test { get; init; }
    /// <summary>Items both arms were scored on.</summary>
    public int N { get; init; }
    /// <summary>Holm-adjusted p below 0.05.</summary>
    public bool Significant { get; init; }
}
