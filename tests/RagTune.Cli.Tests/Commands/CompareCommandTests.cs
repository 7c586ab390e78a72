using RagTune.Models.Tests.Clients;
using RagTune.Tests;

namespace RagTune.Cli.Tests.Commands;

/// <summary><c>ragtune compare</c> through <see cref="CliApp.RunAsync"/>: exit 0 with the report written; a bad config is a user error.</summary>
public class CompareCommandTests
{
    static string World(string arms, out string outDir, out string[] temp)
    {
        var root = TestPaths.NewTempDir("ragtune-compare-cli");
        Directory.CreateDirectory(Path.Combine(root, "docs"));
        for (var d = 0; d < 3; d++)
            File.WriteAllText(Path.Combine(root, "docs", $"d{d}.txt"), string.Join(' ', Enumerable.Range(0, 20).Select(i => $"w{d * 20 + i}")) + ".");
        File.WriteAllLines(Path.Combine(root, "test.jsonl"), Enumerable.Range(0, 4).Select(i => $"{{\"id\":\"q{i}\",\"question\":\"w{i * 20} w{i * 20 + 1}\",\"answers\":[\"w{i * 20 + 2}\"]}}"));
        var model = ChatModelFolder.Create();
        temp = [root, model];
        File.WriteAllText(Path.Combine(root, "compare.json"), $$"""
            { "task": "qa", "model": {{System.Text.Json.JsonSerializer.Serialize(model)}}, "documents": ["docs"], "test": "test.jsonl",
              "arms": {{arms}}, "retrieval": { "k": 2, "chunk_tokens": 32, "context_tokens": 256 }, "max_new_tokens": 3, "seed": 1 }
            """);
        outDir = Path.Combine(root, "out");
        return Path.Combine(root, "compare.json");
    }

    [Fact]
    public async Task Compare_WritesTheReport_AndExitsZero()
    {
        var config = World("""["base", "rag"]""", out var outDir, out var temp);
        try
        {
            var exit = await CliApp.RunAsync(["compare", "--config", config, "--out", outDir, "--seed", "3"]);
            Assert.Equal(0, exit);
            foreach (var f in new[] { "report.json", "report.md", "report.html" }) Assert.True(File.Exists(Path.Combine(outDir, f)), f);
            Assert.Contains("\"seed\": 3", File.ReadAllText(Path.Combine(outDir, "report.json")));
        }
        finally { Cleanup(temp); }
    }

    [Fact]
    public async Task UnknownArm_IsABadInputError_BeforeAnyWork()
    {
        var config = World("""["base", "fine-tune-everything"]""", out var outDir, out var temp);
        try
        {
            var exit = await CliApp.RunAsync(["compare", "--config", config, "--out", outDir]);
            Assert.Equal((int)ExitCode.BadInput, exit);
            Assert.False(Directory.Exists(outDir));
        }
        finally { Cleanup(temp); }
    }

    static void Cleanup(IEnumerable<string> dirs)
    {
        foreach (var d in dirs)
            try { Directory.Delete(d, recursive: true); } catch (IOException) { }
    }
}
