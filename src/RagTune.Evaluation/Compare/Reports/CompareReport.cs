using System.Text.Json.Nodes;

namespace RagTune.Evaluation.Compare.Reports;

/// <summary>
/// Everything <c>ragtune compare</c> measured: arms with metrics, intervals and per-item answers, every paired
/// comparison, the verdict, the integrity check, published numbers beside ours, the config and its hash, the seed.
/// Serialised as <c>report.json</c> (snake_case) by <see cref="CompareReportWriter"/>.
/// </summary>
public sealed record CompareReport
{
    /// <summary>qa, multiple-choice, classify or summarize.</summary>
    public required string Task { get; init; }
    /// <summary>The task metric the verdict uses (exact_match, acc, accuracy, rouge_l).</summary>
    public required string MainMetric { get; init; }
    /// <summary>Seed of the run (training, sampling, bootstrap).</summary>
    public int Seed { get; init; }
    /// <summary>SHA-256 of the config file's bytes.</summary>
    public required string ConfigSha256 { get; init; }
    /// <summary>The config as read.</summary>
    public JsonNode? Config { get; init; }
    /// <summary>Test items.</summary>
    public int TestItems { get; init; }
    /// <summary>Update test items (0 without an update).</summary>
    public int UpdateItems { get; init; }
    /// <summary>Bootstrap resamples per interval.</summary>
    public int BootstrapResamples { get; init; }
    /// <summary>The arms.</summary>
    public List<ArmReport> Arms { get; init; } = [];
    /// <summary>Every pair of arms on the compared metrics.</summary>
    public List<PairwiseComparison> Comparisons { get; init; } = [];
    /// <summary>The verdict in plain words.</summary>
    public string Verdict { get; init; } = "";
    /// <summary>The leakage check.</summary>
    public IntegrityReport Integrity { get; init; } = new();
    /// <summary>Published results shown beside ours.</summary>
    public List<ReferenceResult> ReferenceResults { get; init; } = [];
    /// <summary>Where our ordering of arms agrees or disagrees with the published one.</summary>
    public List<string> ReferenceAgreement { get; init; } = [];
    /// <summary>For each arm that reads retrieved chunks: whether retrieval or the model's reading limits it (<see cref="CompareReportBuilder.RetrievalDiagnosis"/>).</summary>
    public List<string> Diagnosis { get; init; } = [];
    /// <summary>Caveats and how things were measured.</summary>
    public List<string> Notes { get; init; } = [];
}
