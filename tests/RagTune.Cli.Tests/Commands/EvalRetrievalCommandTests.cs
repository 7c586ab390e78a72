using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using RagTune.Cli.Commands;
using RagTune.Evaluation.Retrieval;
using RagTune.Tests;

namespace RagTune.Cli.Tests.Commands;

public class EvalRetrievalCommandTests
{
    static string Fixture(string name) => Path.Combine(TestPaths.Data, "trec_eval", name);

    /// <summary>trec_eval -c means from the fixture (the verb averages as -c does).</summary>
    static Dictionary<string, double> TrecEvalMeans() =>
        File.ReadLines(Fixture("complete.txt")).Concat(File.ReadLines(Fixture("complete_rr10.txt")))
            .Select(l => l.Split('\t', StringSplitOptions.TrimEntries)).Where(p => p[1] == "all")
            .ToDictionary(p => p[0], p => double.Parse(p[2], CultureInfo.InvariantCulture));

    /// <summary>Answers each query (whose text is its id) with the fixture run's ranking for it.</summary>
    sealed class FixtureRetriever(RetrievalRun run) : IRankedRetriever, IDisposable
    {
        public List<int> Ks { get; } = [];
        public bool Disposed { get; private set; }

        public Task<IReadOnlyList<RankedDocument>> RetrieveAsync(string query, int k, CancellationToken cancellationToken = default)
        {
            Ks.Add(k);
            var ranking = (run.For(query) ?? []).ToList();
            ranking.Sort(TrecEval.TrecOrder);
            var top = ranking.Take(k).ToList();
            // A chunk-level duplicate of the best document: the verb must keep one copy and still keep k documents.
            if (top.Count > 0) top.Insert(1, top[0] with { Score = top[0].Score - 1 });
            return Task.FromResult<IReadOnlyList<RankedDocument>>(top);
        }

        public void Dispose() => Disposed = true;
    }

    static (int Exit, string Out, string Err) Run(EvalRetrievalCommand verb, params string[] args)
    {
        var eval = new Command("eval") { verb.Build() };
        var root = new RootCommand { eval };
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = root.Parse(["eval", "retrieval", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    static string WriteQueries(string dir)
    {
        var path = Path.Combine(dir, "queries.jsonl");
        var ids = Qrels.Load(Fixture("qrels.tsv")).QueryIds;
        File.WriteAllLines(path, ids.Select(id => JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = id, ["text"] = id })));
        return path;
    }

    [Fact]
    public void RetrievesEveryJudgedQueryAndPrintsTrecEvalNumbers()
    {
        var dir = TestPaths.NewTempDir();
        var retriever = new FixtureRetriever(RetrievalRun.Load(Fixture("run.tsv")));
        string? openedKb = null, openedMode = null;
        var verb = new EvalRetrievalCommand((kb, mode) => { openedKb = kb; openedMode = mode; return retriever; });
        var runOut = Path.Combine(dir, "out", "run.tsv");

        var (exit, output, error) = Run(verb, "--kb", dir, "--queries", WriteQueries(dir), "--qrels", Fixture("qrels.tsv"),
            "--mode", "bm25", "--run-out", runOut, "--json", "--per-query");

        Assert.True(exit == 0, error);
        Assert.Equal((dir, "bm25"), (openedKb, openedMode));
        Assert.True(retriever.Disposed);
        Assert.All(retriever.Ks, k => Assert.Equal(100, k));
        using var json = JsonDocument.Parse(output); // --json: stdout is only JSON
        var want = TrecEvalMeans();
        Assert.Equal(37, json.RootElement.GetProperty("queries").GetInt32());
        Assert.Equal(want["ndcg_cut_10"], json.RootElement.GetProperty("ndcg@10").GetDouble(), 4);
        Assert.Equal(want["recall_10"], json.RootElement.GetProperty("recall@10").GetDouble(), 4);
        Assert.Equal(want["recall_100"], json.RootElement.GetProperty("recall@100").GetDouble(), 4);
        Assert.Equal(want["recip_rank"], json.RootElement.GetProperty("mrr@10").GetDouble(), 4);
        Assert.Equal(37, json.RootElement.GetProperty("perQuery").GetArrayLength());

        // The written run evaluates to the same numbers through --run, printed as a table.
        (exit, output, error) = Run(new EvalRetrievalCommand(), "--qrels", Fixture("qrels.tsv"), "--run", runOut);
        Assert.True(exit == 0, error);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"nDCG@10    {want["ndcg_cut_10"]:F4}"), output);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"MRR@10     {want["recip_rank"]:F4}"), output);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void MissingInputsAndBadFilesGiveNamedExitCodesAndMessages()
    {
        var dir = TestPaths.NewTempDir();
        var verb = new EvalRetrievalCommand((_, _) => throw new InvalidOperationException("must not open"));

        var (exit, _, error) = Run(verb, "--qrels", Fixture("qrels.tsv"));
        Assert.Equal((int)ExitCode.BadArguments, exit);
        Assert.Contains("--run", error);

        var bad = Path.Combine(dir, "qrels.tsv");
        File.WriteAllText(bad, "query-id\tcorpus-id\tscore\nq1\td1\thigh\n");
        (exit, _, error) = Run(verb, "--qrels", bad, "--run", Fixture("run.tsv"));
        Assert.Equal((int)ExitCode.BadInput, exit);
        Assert.Contains($"{bad}:2", error);

        (exit, _, error) = Run(verb, "--qrels", Path.Combine(dir, "nope.tsv"), "--run", Fixture("run.tsv"));
        Assert.Equal((int)ExitCode.NotFound, exit);
        Assert.Contains("nope.tsv", error);

        (exit, _, _) = Run(verb, "--qrels", Fixture("qrels.tsv"), "--run", Fixture("run.tsv"), "--mode", "fuzzy");
        Assert.NotEqual(0, exit);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void EvaluatesAKnowledgeBaseIngestedFromABeirCorpus()
    {
        var dir = TestPaths.NewTempDir();
        // Two topics, two documents each; each query shares words with its topic only.
        string Doc(string id, string text) => JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = id, ["title"] = id, ["text"] = text });
        File.WriteAllLines(Path.Combine(dir, "corpus.jsonl"),
        [
            Doc("g1", "hierarchical navigable small world graphs answer nearest neighbour queries"),
            Doc("g2", "graph layers make nearest neighbour search logarithmic"),
            Doc("s1", "sqlite keeps a write ahead log for crash safe transactions"),
            Doc("s2", "transactions in sqlite commit atomically"),
        ]);
        File.WriteAllLines(Path.Combine(dir, "queries.jsonl"),
        [
            JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = "qg", ["text"] = "nearest neighbour graph" }),
            JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = "qs", ["text"] = "sqlite transactions" }),
        ]);
        // qg: g1 grade 2, g2 grade 1; qs: s1 grade 2, s2 grade 1.
        File.WriteAllText(Path.Combine(dir, "test.tsv"), "query-id\tcorpus-id\tscore\nqg\tg1\t2\nqg\tg2\t1\nqs\ts1\t2\nqs\ts2\t1\n");
        var kb = Path.Combine(dir, "kb");
        var ingest = CliApp.BuildRoot().Parse(["ingest", "--kb", kb, "--embed-model", "none", "--format", "beir", Path.Combine(dir, "corpus.jsonl")])
            .Invoke(new InvocationConfiguration { Output = new StringWriter(), Error = new StringWriter() });
        Assert.Equal(0, ingest);

        // No --mode: the knowledge base has no embeddings, so bm25 (search's rule).
        var (exit, output, error) = Run(new EvalRetrievalCommand(), "--kb", kb, "--queries", Path.Combine(dir, "queries.jsonl"),
            "--qrels", Path.Combine(dir, "test.tsv"), "--json", "--per-query");
        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("bm25", json.RootElement.GetProperty("mode").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("queries").GetInt32());
        // Every document of a query's topic is relevant and shares query terms; the other topic shares none: full
        // recall and a relevant first hit. nDCG depends on BM25's order within a topic, so only its range is fixed.
        Assert.Equal(1.0, json.RootElement.GetProperty("recall@10").GetDouble(), 9);
        Assert.Equal(1.0, json.RootElement.GetProperty("mrr@10").GetDouble(), 9);
        Assert.InRange(json.RootElement.GetProperty("ndcg@10").GetDouble(), 0.5, 1.0);
        Directory.Delete(dir, true);
    }
}
