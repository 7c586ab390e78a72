using RagTune.Evaluation.Retrieval;
using RagTune.Tests;

namespace RagTune.Evaluation.Tests.Retrieval;

public class BeirFormatTests
{
    [Fact]
    public void ReadsBeirQueriesQrelsAndRunFiles()
    {
        var dir = TestPaths.NewTempDir();
        var queries = Path.Combine(dir, "queries.jsonl");
        File.WriteAllText(queries, "{\"_id\": \"q1\", \"text\": \"what is hnsw\", \"metadata\": {}}\n\n{\"_id\": 2, \"text\": \"bm25\"}\n");
        Assert.Equal([new BeirQuery("q1", "what is hnsw"), new BeirQuery("2", "bm25")], BeirQueries.Load(queries));

        var qrelsPath = Path.Combine(dir, "test.tsv");
        File.WriteAllText(qrelsPath, "query-id\tcorpus-id\tscore\nq1\tdoc1\t2\nq1\tdoc2\t0\n2\tdoc3\t1\n");
        var qrels = Qrels.Load(qrelsPath);
        Assert.Equal(["2", "q1"], qrels.QueryIds);
        Assert.Equal(2, qrels.For("q1")!["doc1"]);
        Assert.Null(qrels.For("nope"));

        var trecQrels = Path.Combine(dir, "qrels.trec");
        File.WriteAllText(trecQrels, "q1 0 doc1 2\nq1 0 doc2 0\n");
        Assert.Equal(2, Qrels.Load(trecQrels).For("q1")!.Count);

        var run = new RetrievalRun();
        run.Add("q1", "doc1", 0.1 + 0.2); // not exactly representable: must round-trip anyway
        run.Add("q1", "doc2", -3.5e-7);
        var runPath = Path.Combine(dir, "run.tsv");
        run.Save(runPath);
        Assert.StartsWith("q1\tdoc1\t0.30000000000000004\n", File.ReadAllText(runPath));
        Assert.Equal(run.For("q1"), RetrievalRun.Load(runPath).For("q1"));

        File.WriteAllText(runPath, "q1 Q0 doc1 1 12.5 mine\n");
        Assert.Equal([new RankedDocument("doc1", 12.5)], RetrievalRun.Load(runPath).For("q1"));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void MalformedLinesNameFileAndLine()
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "bad.tsv");
        File.WriteAllText(path, "query-id\tcorpus-id\tscore\nq1\tdoc1\tvery\n");
        var e = Assert.Throws<InvalidDataException>(() => Qrels.Load(path));
        Assert.Contains($"{path}:2", e.Message);

        File.WriteAllText(path, "q1\tdoc1\t1\nq1\tdoc1\t2\n");
        Assert.Contains("twice", Assert.Throws<InvalidDataException>(() => Qrels.Load(path)).Message);
        Assert.Contains($"{path}:2", Assert.Throws<InvalidDataException>(() => RetrievalRun.Load(path)).Message);

        File.WriteAllText(path, "{\"id\": \"q1\", \"text\": \"x\"}\n");
        Assert.Contains($"{path}:1", Assert.Throws<InvalidDataException>(() => BeirQueries.Load(path)).Message);
        File.WriteAllText(path, "not json\n");
        Assert.Contains($"{path}:1", Assert.Throws<InvalidDataException>(() => BeirQueries.Load(path)).Message);
        Directory.Delete(dir, true);
    }
}
