using RagTune.Tests;
using RagTune.Training.Data;
using RagTune.Training.Tests.Support;

namespace RagTune.Training.Tests;

public class DatasetBuilderTests
{
    static string WriteJsonl(params string[] lines)
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "data.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    static readonly WordTokenizer Tok = new(["a b c d e f g h user assistant hi hello q1 a1 x y"]);

    [Fact]
    public void CausalPacksDocumentsWithEosIntoFullBlocks()
    {
        var path = WriteJsonl("""{"text":"a b c"}""", """{"text":"d e"}""", """{"text":"f g h"}""");
        var ds = new DatasetBuilder(Tok, TrainingTask.Causal, 4).BuildFromFile(path);
        var flat = ds.Examples.SelectMany(e => e.InputIds).ToArray();
        // <s> a b c </s> <s> d e </s> <s> f g h </s> = 14 tokens → 3 full blocks of 4 + a remainder of 2.
        Assert.Equal(14, flat.Length);
        Assert.Equal([4, 4, 4, 2], ds.Examples.Select(e => e.InputIds.Length));
        Assert.Equal(2, flat[4]);
        Assert.All(ds.Examples, e => Assert.Equal(e.InputIds, e.Labels));
    }

    [Fact]
    public void CausalWithoutPacking_OneSequencePerDocument_TruncatedToTheLimit()
    {
        var path = WriteJsonl("""{"text":"a b c"}""", """{"text":"d e"}""", """{"text":"f g h a b"}""");
        var ds = new DatasetBuilder(Tok, TrainingTask.Causal, 6) { Packing = false }.BuildFromFile(path);
        // <s> a b c </s> | <s> d e </s> | <s> f g h a b </s> cut to 6 tokens, with a warning.
        Assert.Equal([5, 4, 6], ds.Examples.Select(e => e.InputIds.Length));
        Assert.All(ds.Examples, e => Assert.Equal(1, e.InputIds[0]));
        Assert.Equal([1, Tok.TokenToId("d")!.Value, Tok.TokenToId("e")!.Value, 2], ds.Examples[1].InputIds);
        Assert.Contains(ds.Warnings, w => w.Contains("1 document(s) longer", StringComparison.Ordinal));
    }

    [Fact]
    public void SftPromptCompletionMasksThePrompt()
    {
        var path = WriteJsonl("""{"prompt":"q1","completion":"a1"}""");
        var e = new DatasetBuilder(Tok, TrainingTask.Sft, 16).BuildFromFile(path).Examples.Single();
        Assert.Equal([1, Tok.TokenToId("q1")!.Value, Tok.TokenToId("a1")!.Value, 2], e.InputIds);
        Assert.Equal([-100, -100, Tok.TokenToId("a1")!.Value, 2], e.Labels);
    }

    [Fact]
    public void SftMessagesLearnOnlyAssistantTokens()
    {
        static string Render(IReadOnlyList<ChatTurn> m, bool gen) =>
            string.Concat(m.Select(t => $"{t.Role} {t.Content} </s> ")) + (gen ? "assistant " : "");
        var path = WriteJsonl("""{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello x"}]}""");
        var e = new DatasetBuilder(Tok, TrainingTask.Sft, 32) { ChatRenderer = Render }.BuildFromFile(path).Examples.Single();
        var learnt = e.Labels.Where(l => l != -100).Select(l => Tok.IdToToken(l)).ToList();
        Assert.Equal(["hello", "x", "</s>"], learnt);
    }

    [Fact]
    public void SftMessagesWithoutChatTemplateIsAClearError()
    {
        var path = WriteJsonl("""{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"x"}]}""");
        var e = Assert.Throws<DatasetException>(() => new DatasetBuilder(Tok, TrainingTask.Sft, 32).BuildFromFile(path));
        Assert.Contains(":1:", e.Message);
        Assert.Contains("chat template", e.Message);
    }

    [Fact]
    public void ClassifyReadsSortedLabelSetAndRejectsUnknownEvalLabels()
    {
        var train = WriteJsonl("""{"text":"a b","label":"pos"}""", """{"text":"c","label":"neg"}""");
        var builder = new DatasetBuilder(Tok, TrainingTask.Classify, 8);
        var ds = builder.BuildFromFile(train);
        Assert.Equal(["neg", "pos"], ds.ClassNames);
        Assert.Equal([1, 0], ds.Examples.Select(e => e.ClassId));
        var eval = WriteJsonl("""{"text":"a","label":"pos"}""", """{"text":"b","label":"meh"}""");
        var e = Assert.Throws<DatasetException>(() => builder.BuildFromFile(eval, ds.ClassNames));
        Assert.Contains(":2:", e.Message);
        Assert.Contains("\"meh\"", e.Message);
    }

    [Fact]
    public void BadFilesNameLineAndField()
    {
        var b = new DatasetBuilder(Tok, TrainingTask.Causal, 8);
        Assert.Contains("no records", Assert.Throws<DatasetException>(() => b.BuildFromFile(WriteJsonl(""))).Message);
        var malformed = Assert.Throws<DatasetException>(() => b.BuildFromFile(WriteJsonl("""{"text":"a"}""", "{oops")));
        Assert.Contains(":2:", malformed.Message);
        var missing = Assert.Throws<DatasetException>(() => b.BuildFromFile(WriteJsonl("""{"txt":"a"}""")));
        Assert.Contains(":1: missing field \"text\"", missing.Message);
    }

    [Fact]
    public void LongSequencesAreTruncatedWithAWarning()
    {
        var path = WriteJsonl("""{"text":"a b c d e f g h","label":"x"}""", """{"text":"a","label":"y"}""");
        var ds = new DatasetBuilder(Tok, TrainingTask.Classify, 4).BuildFromFile(path);
        Assert.Equal(4, ds.Examples[0].InputIds.Length);
        Assert.Contains(ds.Warnings, w => w.Contains("truncated"));
    }

    [Fact]
    public void SplitIsSeededAndDisjoint()
    {
        var items = Enumerable.Range(0, 100).ToList();
        var (t1, e1) = DataSplit.Split(items, 0.2, 7);
        var (t2, e2) = DataSplit.Split(items, 0.2, 7);
        Assert.Equal(20, e1.Count);
        Assert.Equal(e1, e2);
        Assert.Equal(t1, t2);
        Assert.Empty(t1.Intersect(e1));
        Assert.NotEqual(e1, DataSplit.Split(items, 0.2, 8).Eval);
    }
}
