using RagTune.Application.Compare;

namespace RagTune.Application.Tests.Compare;

public class CompareConfigTests
{
    static string Root()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ragtune-config-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(dir, "docs"));
        Directory.CreateDirectory(Path.Combine(dir, "model"));
        File.WriteAllText(Path.Combine(dir, "model", "config.json"), "{}");
        File.WriteAllText(Path.Combine(dir, "test.jsonl"), "{\"id\":\"1\",\"question\":\"q?\",\"answers\":[\"a\"]}\n");
        File.WriteAllText(Path.Combine(dir, "train.jsonl"), "{\"id\":\"2\",\"question\":\"r?\",\"answers\":[\"b\"]}\n");
        return dir;
    }

    static CompareConfigException Invalid(string json)
    {
        var dir = Root();
        try { return Assert.Throws<CompareConfigException>(() => CompareConfig.Parse(json, dir, "c.json").Validate()); }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void FullConfig_ParsesEveryField()
    {
        var dir = Root();
        var c = CompareConfig.Parse("""
            { "task": "qa", "model": "model", "documents": ["docs"], "train": "train.jsonl", "test": "test.jsonl",
              "arms": ["base", {"name": "ft+rag", "from": "ft-task", "training": {"epochs": 5}}, "ft-task"],
              "retrieval": {"mode": "bm25", "k": 4, "chunk_tokens": 100, "context_tokens": 1000},
              "training": {"method": "full", "epochs": 2, "learning_rate": 0.001, "lora_r": 16, "max_seq_len": 128, "batch_size": 2, "packing": false},
              "seed": 9, "reference_results": [{"source": "s", "arm": "rag", "metric": "acc", "value": 0.5, "note": "n"}],
              "notes": ["first note", "second note"] }
            """, dir, "c.json");
        c.Validate();
        Assert.Equal(["base", "ft+rag", "ft-task"], c.Arms.Select(a => a.Name));
        Assert.Equal(5, c.Arms[1].Training!.Epochs);
        Assert.Equal("full", c.Arms[1].Training!.Method);          // the arm's override starts from the config's training
        Assert.False(c.Arms[1].Training!.Packing);
        Assert.True(new TrainingSettings().Packing);
        Assert.Equal((4, 100, 1000), (c.Retrieval.K, c.Retrieval.ChunkTokens, c.Retrieval.ContextTokens));
        Assert.Equal(9, c.Seed);
        Assert.Equal(Path.Combine(dir, "test.jsonl"), c.Resolve(c.Test));
        Assert.Equal("exact_match", c.MainMetric);
        Assert.Equal(0.5, c.ReferenceResults.Single().Value);
        Assert.Equal(["first note", "second note"], c.Notes);
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData("""{"task":"qa","model":"model","test":"test.jsonl","arms":["base","magic"]}""", "arms[1]", "unknown arm 'magic'")]
    [InlineData("""{"task":"qa","model":"model","test":"missing.jsonl","arms":["base"]}""", "\"test\"", "does not exist")]
    [InlineData("""{"task":"qa","model":"http://localhost:1/v1#m","train":"train.jsonl","test":"test.jsonl","arms":["ft-task"]}""", "arms[0]", "remote endpoint")]
    [InlineData("""{"task":"multiple-choice","model":"http://localhost:1/v1#m","test":"test.jsonl","arms":["base"]}""", "\"model\"", "log-likelihood")]
    [InlineData("""{"task":"qa","model":"model","test":"test.jsonl","arms":["ft-task"]}""", "\"train\"", "trains on the training set")]
    [InlineData("""{"task":"qa","model":"model","test":"test.jsonl","arms":["rag"]}""", "\"documents\"", "retrieves")]
    [InlineData("""{"task":"qa","model":"nope","test":"test.jsonl","arms":["base"]}""", "\"model\"", "not a Hugging Face model folder")]
    [InlineData("""{"task":"qa","model":"model","test":"test.jsonl","arms":["base"],"retrieval":{"mode":"dense","embed_model":"none"}}""", "retrieval.embed_model", "needs an embedding model")]
    [InlineData("""{"task":"qa","model":"model","test":"test.jsonl","arms":["base","base"]}""", "arms[1]", "listed twice")]
    [InlineData("""{"task":"qa","model":"model","test":"test.jsonl","arms":["base"],"notes":[1]}""", "notes[0]", "must be a string")]
    public void BadConfig_NamesTheFieldAndWhatIsExpected(string json, string field, string what)
    {
        var e = Invalid(json);
        Assert.Contains(field, e.Message);
        Assert.Contains(what, e.Message);
        Assert.StartsWith("c.json", e.Message);
    }

    [Fact]
    public void ParseErrors_NameTheField()
    {
        Assert.Contains("\"tsk\"", Assert.Throws<CompareConfigException>(() => CompareConfig.Parse("""{"tsk":"qa"}""", ".", "c.json")).Message);
        Assert.Contains("task", Assert.Throws<CompareConfigException>(() => CompareConfig.Parse("""{"task":"poetry","model":"m","test":"t","arms":[]}""", ".", "c.json")).Message);
        Assert.Contains("training.epochs", Assert.Throws<CompareConfigException>(() => CompareConfig.Parse("""{"task":"qa","model":"m","test":"t","arms":[],"training":{"epochs":"many"}}""", ".", "c.json")).Message);
        Assert.Contains("training.packing", Assert.Throws<CompareConfigException>(() => CompareConfig.Parse("""{"task":"qa","model":"m","test":"t","arms":[],"training":{"packing":"no"}}""", ".", "c.json")).Message);
        Assert.Contains("malformed JSON", Assert.Throws<CompareConfigException>(() => CompareConfig.Parse("{", ".", "c.json")).Message);
    }

    [Fact]
    public void TestData_NotMatchingTheTask_IsAnErrorWithFileAndLine()
    {
        var dir = Root();
        try
        {
            var e = Assert.Throws<CompareConfigException>(() => CompareDataLoader.Load(Path.Combine(dir, "test.jsonl"), "classify"));
            Assert.Contains("test.jsonl:1", e.Message);
            Assert.Contains("\"text\"", e.Message);
            var mc = Assert.Throws<CompareConfigException>(() => CompareDataLoader.Load(Path.Combine(dir, "test.jsonl"), "multiple-choice"));
            Assert.Contains("options", mc.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
