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
            // The QA report goes to the top of the demo's own folder, next to the generated inputs; the demo's marker is
            // what allows it, and compare's own subfolders (kb, data, models, arms, …) never collide with the demo's.
            if (File.Exists(Path.Combine(outDir, BenchmarkDemo.MarkerFileName)))
                File.WriteAllText(Path.Combine(outDir, CompareRunner.MarkerFileName), "Written by ragtune demo for ragtune compare.\n");
            await CompareRunner.RunAsync(config, outDir, new CompareRunOptions
            {
                Seed = options.Seed, Force = options.Force,
                // QA and multiple choice adapt the same base to the same documents: each model is trained once.
                ModelCacheDir = Path.Combine(options.OutputDir, "trained-models"),
            }, compareProgress, ct).ConfigureAwait(false);
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
