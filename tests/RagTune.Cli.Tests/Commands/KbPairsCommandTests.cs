using System.CommandLine;
using System.Text.Json;
using RagTune.Training.Embeddings;

namespace RagTune.Cli.Tests.Commands;

/// <summary><c>ragtune kb pairs</c>: title → passage and inverse-cloze pairs from an ingested knowledge base, readable by finetune --task embed.</summary>
public sealed class KbPairsCommandTests
{
    [Fact]
    public void MinesTitleAndInverseClozePairs()
    {
        var dir = RagTune.Tests.TestPaths.NewTempDir("ragtune-kb-pairs");
        File.WriteAllLines(Path.Combine(dir, "corpus.jsonl"),
        [
            JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = "a", ["title"] = "Pump maintenance", ["text"] = "The pump needs new seals every year. Seals wear out from heat and grit. A worn seal leaks oil onto the floor. Replace it before winter comes." }),
            JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = "b", ["title"] = "Valve checks", ["text"] = "Valves are checked monthly by the night shift." }),
        ]);
        var kb = Path.Combine(dir, "kb");
        var invocation = new InvocationConfiguration { Output = new StringWriter(), Error = new StringWriter() };
        Assert.Equal(0, CliApp.BuildRoot().Parse(["ingest", "--kb", kb, "--embed-model", "none", "--format", "beir", Path.Combine(dir, "corpus.jsonl")]).Invoke(invocation));

        var output = Path.Combine(dir, "pairs.jsonl");
        var exit = CliApp.BuildRoot().Parse(["kb", "pairs", "--kb", kb, "--out", output]).Invoke(invocation);
        Assert.True(exit == 0, invocation.Error.ToString());
        var pairs = EmbeddingPair.ReadJsonl(output);
        Assert.Equal(3, pairs.Count); // two titles, one inverse cloze (only document a has three sentences or more)
        Assert.Contains(pairs, p => p.Query == "Pump maintenance" && p.Positive.StartsWith("The pump needs", StringComparison.Ordinal));
        var cloze = Assert.Single(pairs, p => p.Query != "Pump maintenance" && p.Query != "Valve checks");
        Assert.DoesNotContain(cloze.Query, cloze.Positive); // the sentence is taken out of its passage
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
