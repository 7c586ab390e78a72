using System.Diagnostics;
using RagTune.Retrieval.Store;

namespace RagTune.Cli.Tests;

/// <summary>kill -9 during <c>ragtune ingest</c> in a real child process, then reopen and re-run.</summary>
[Trait("Tier", "Integration")]   // end to end: trains or runs the demo or a ragtune process (dotnet test --filter "Tier!=Integration" skips it)
public class CrashRecoveryTests
{
    static Process StartCli(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ragtune.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    static int CountChunks(string kb)
    {
        if (!File.Exists(Path.Combine(kb, "kb.sqlite"))) return 0;
        try
        {
            using var store = KnowledgeBase.OpenReadOnly(kb);
            return store.GetStats().Chunks;
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException) { return 0; } // schema not created yet
    }

    [Fact]
    public async Task KillDuringIngestThenReopenAndRerunCompletes()
    {
        var root = RagTune.Tests.TestPaths.NewTempDir("ragtune-crash");
        try
        {
            var docs = Path.Combine(root, "docs");
            var kb = Path.Combine(root, "kb");
            Directory.CreateDirectory(docs);
            const int files = 3000;
            for (var i = 0; i < files; i++)
                File.WriteAllText(Path.Combine(docs, $"f{i:0000}.txt"), $"Document {i} about the shared subject orchid and its own word k{i}z.");

            using (var child = StartCli("ingest", "--kb", kb, "--embed-model", "none", "--batch-chunks", "10", docs))
            {
                var clock = Stopwatch.StartNew();
                while (CountChunks(kb) < 200 && !child.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)) await Task.Delay(20);
                Assert.False(child.HasExited, "ingest finished before it could be killed; HINT: more files or smaller batches");
                child.Kill(); // SIGKILL on Unix: no finally blocks, no Lucene close, no SQLite checkpoint
                await child.WaitForExitAsync();
            }

            int afterCrash;
            using (var store = KnowledgeBase.Open(kb))
            {
                var stats = store.GetStats();
                afterCrash = stats.Documents;
                Assert.InRange(afterCrash, 1, files - 1);
                Assert.True(stats.Chunks == stats.LuceneDocuments, $"sqlite {stats.Chunks} vs lucene {stats.LuceneDocuments} chunks"); // reconciled on open
                Assert.True(stats.Documents == stats.Files, $"{stats.Documents} documents vs {stats.Files} files"); // a file is recorded exactly when its document is
            }

            using (var rerun = StartCli("ingest", "--kb", kb, "--embed-model", "none", docs))
            {
                await rerun.WaitForExitAsync();
                Assert.Equal(0, rerun.ExitCode);
            }
            using (var store = KnowledgeBase.OpenReadOnly(kb))
            {
                var stats = store.GetStats();
                Assert.Equal(files, stats.Documents);
                Assert.Equal(files, stats.Chunks);
                Assert.Equal(files, stats.LuceneDocuments);
            }
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }
}
