using System.Diagnostics;
using System.Text.Json;

namespace RagTune.Cli.Tests;

/// <summary>The search and kb stats verbs as a user runs them (child process): JSON only on stdout, exit codes.</summary>
public class SearchCommandTests
{
    static async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ragtune.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task IngestSearchJsonAndStats()
    {
        var root = RagTune.Tests.TestPaths.NewTempDir("ragtune-search");
        try
        {
            var docs = Path.Combine(root, "docs");
            Directory.CreateDirectory(docs);
            File.WriteAllText(Path.Combine(docs, "a.md"), "# Pumps\n\nThe pump needs new seals every year.\n");
            File.WriteAllText(Path.Combine(docs, "b.txt"), "Valves are checked monthly.");
            File.WriteAllBytes(Path.Combine(docs, "empty.txt"), []);
            var kb = Path.Combine(root, "kb");

            var ingest = await Run("ingest", "--kb", kb, "--embed-model", "none", docs);
            Assert.Equal(3, ingest.Exit); // one bad file: reported, the rest ingested
            Assert.Contains("empty.txt", ingest.Err);

            var search = await Run("search", "--kb", kb, "--query", "pump seals", "--json");
            Assert.Equal(0, search.Exit);
            using var json = JsonDocument.Parse(search.Out);
            var top = json.RootElement[0];
            Assert.Equal("Pumps", top.GetProperty("title").GetString());
            Assert.Equal("Pumps", top.GetProperty("heading").GetString());
            Assert.Equal("bm25", top.GetProperty("mode").GetString());

            var dense = await Run("search", "--kb", kb, "--query", "pump", "--mode", "dense");
            Assert.Equal((int)ExitCode.BadArguments, dense.Exit);
            Assert.Contains("--embed-model", dense.Err);

            var stats = await Run("kb", "stats", "--kb", kb, "--json");
            Assert.Equal(0, stats.Exit);
            using var s = JsonDocument.Parse(stats.Out);
            Assert.Equal(2, s.RootElement.GetProperty("Documents").GetInt32());

            var missing = await Run("search", "--kb", Path.Combine(root, "nope"), "--query", "x");
            Assert.Equal((int)ExitCode.NotFound, missing.Exit);
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }
}
