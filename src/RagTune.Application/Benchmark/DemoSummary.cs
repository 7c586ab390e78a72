namespace RagTune.Application.Benchmark;

/// <summary>What a <see cref="BenchmarkDemo"/> run did.</summary>
/// <param name="OutputDir">The output folder.</param>
/// <param name="ModelDir">The base model's folder (in the cache).</param>
/// <param name="Pretrained">True when the base model was pre-trained by this run (false: taken from the cache).</param>
/// <param name="PretrainSeconds">Time to pre-train or find the base model.</param>
/// <param name="Reading">The base model's reading check on held-out entities of the pre-training world.</param>
/// <param name="Configs">The compare configs written.</param>
/// <param name="ReportDirs">The report folder of each config.</param>
/// <param name="CompareSeconds">Wall time of each comparison.</param>
/// <param name="TotalSeconds">Wall time of the whole run.</param>
public sealed record DemoSummary(string OutputDir, string ModelDir, bool Pretrained, double PretrainSeconds, ReadingCheckResult Reading, IReadOnlyList<string> Configs,
    IReadOnlyList<string> ReportDirs, IReadOnlyList<double> CompareSeconds, double TotalSeconds);
