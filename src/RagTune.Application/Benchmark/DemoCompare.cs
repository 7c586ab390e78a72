namespace RagTune.Application.Benchmark;

/// <summary>Wires <see cref="BenchmarkDemo"/> to the comparison runner.</summary>
public static class DemoCompare
{
    /// <summary>A demo whose comparisons run through the compare runner.</summary>
    public static BenchmarkDemo Create(DemoOptions options, IProgress<string>? progress = null) =>
        new(options, (config, outDir, ct) =>
        {
            progress?.Report($"compare runner not available in this build: run `ragtune compare --config {config} --out {outDir}`");
            return Task.CompletedTask;
        }, progress);
}
