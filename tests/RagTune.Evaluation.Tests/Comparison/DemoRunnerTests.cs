using RagTune.Evaluation.Comparison;
using RagTune.Models.Tokenization;

namespace RagTune.Evaluation.Tests.Comparison;

[Trait("Tier", "Integration")]   // end to end: trains or runs the demo or a ragtune process (dotnet test --filter "Tier!=Integration" skips it)
public class DemoRunnerTests
{
    [Fact]
    public async Task QuickDemo_RunsEndToEnd_WithSaneResults()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ragtune-demo-" + Guid.NewGuid().ToString("N"));
        try
        {
            var lines = new List<string>();
            var report = await new DemoRunner(DemoOptions.Quick(dir), lines.Add).RunAsync();

            Assert.True(File.Exists(Path.Combine(dir, DemoReportWriter.JsonFileName)));
            Assert.True(new FileInfo(Path.Combine(dir, DemoReportWriter.ChartFileName)).Length > 1000);
            Assert.True(File.Exists(Path.Combine(dir, "models", "finetuned", "model.safetensors")));
            Assert.Equal(report.VocabSize, TokenizerLoader.FromFolder(Path.Combine(dir, "models", "finetuned")).VocabSize);
            var read = DemoReportWriter.Read(Path.Combine(dir, DemoReportWriter.JsonFileName));
            Assert.Equal(report.Systems.Select(s => s.Name), read.Systems.Select(s => s.Name));
            Assert.Equal(["base", "rag", "fine-tuned", "fine-tuned+rag"], report.Systems.Select(s => s.Name));
            Assert.Contains(lines, l => l.Contains("fine-tune step", StringComparison.Ordinal));

            var (@base, rag, tuned, tunedRag) = (report.System("base"), report.System("rag"), report.System("fine-tuned"), report.System("fine-tuned+rag"));
            Assert.True(rag.RetrievalRecall >= 0.9, $"RAG recall@k {rag.RetrievalRecall}");
            Assert.True(@base.Accuracy <= 0.3, $"base accuracy {@base.Accuracy} (it has never seen the facts)");
            Assert.True(tuned.Accuracy > @base.Accuracy + 0.3, $"fine-tuned {tuned.Accuracy} vs base {@base.Accuracy}");
            Assert.True(rag.Accuracy > @base.Accuracy + 0.3, $"RAG {rag.Accuracy} vs base {@base.Accuracy}");
            Assert.True(rag.UpdatedAccuracy > tuned.UpdatedAccuracy, $"after the update: RAG {rag.UpdatedAccuracy} vs fine-tuned {tuned.UpdatedAccuracy}");
            Assert.True(tuned.StaleRate >= 0.5, $"fine-tuned stale rate {tuned.StaleRate}");
            Assert.True(tuned.TrainingSeconds > 0 && report.FineTuneTokensPerSecond > 0);
            Assert.True(report.PeakWorkingSetMb > 0);
            Assert.All(report.Systems, s => Assert.True(s.MeanLatencyMs > 0));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
