using RagTune.Application.Compare;

namespace RagTune.Application.Benchmark;

/// <summary>Wires <see cref="BenchmarkDemo"/> to <see cref="CompareRunner"/>, with the comparison's own closed-book prompt in the pre-training corpus.</summary>
public static class DemoCompare
{
    /// <summary>A demo whose comparisons run through <see cref="CompareRunner"/> (progress lines to <paramref name="progress"/>).</summary>
    public static BenchmarkDemo Create(DemoOptions options, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        IProgress<CompareProgress>? compareProgress = progress is null ? null : new LineProgress(progress);
        return new BenchmarkDemo(options, async (configPath, outDir, ct) =>
        {
            var config = CompareConfig.Load(configPath);
            await CompareRunner.RunAsync(config, outDir, new CompareRunOptions { Seed = options.Seed, Force = options.Force }, compareProgress, ct).ConfigureAwait(false);
        }, progress)
        {
            ClosedBookPrompt = q => ComparePrompts.ClosedBook(q),
        };
    }

    sealed class LineProgress(IProgress<string> inner) : IProgress<CompareProgress>
    {
        public void Report(CompareProgress value) => inner.Report("  " + value);
    }
}
