using RagTune.Tests;
using RagTune.Training.Data;
using RagTune.Training.Tests.Support;

namespace RagTune.Training.Tests;

/// <summary>A generated 3-label topic task: the label follows from which topic's words dominate a noisy text.</summary>
[Trait("Tier", "Integration")]   // end to end: trains or runs the demo or a ragtune process (dotnet test --filter "Tier!=Integration" skips it)
public class ClassificationLearningTests
{
    static readonly string[][] Topics =
    [
        ["goal", "match", "coach", "league", "striker", "referee"],
        ["stock", "market", "bank", "profit", "shares", "loan"],
        ["planet", "orbit", "telescope", "comet", "galaxy", "rocket"],
    ];
    static readonly string[] Names = ["sport", "finance", "space"];
    static readonly string[] Filler = ["the", "a", "today", "new", "big", "was", "and", "report", "people", "said", "about", "very"];

    static List<string> Generate(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ =>
        {
            var label = rng.Next(3);
            var words = Enumerable.Range(0, rng.Next(6, 12)).Select(_ => Filler[rng.Next(Filler.Length)]).ToList();
            // Two topic words, and one distractor from another topic a quarter of the time.
            for (var k = 0; k < 2; k++) words.Insert(rng.Next(words.Count + 1), Topics[label][rng.Next(6)]);
            if (rng.Next(4) == 0) words.Insert(rng.Next(words.Count + 1), Topics[(label + 1 + rng.Next(2)) % 3][rng.Next(6)]);
            return $$"""{"text":"{{string.Join(' ', words)}}","label":"{{Names[label]}}"}""";
        }).ToList();
    }

    [Fact]
    public void SmallModelReachesNinetyFivePercentOnHeldOutData()
    {
        var dir = TestPaths.NewTempDir();
        var trainPath = Path.Combine(dir, "train.jsonl");
        File.WriteAllLines(trainPath, Generate(600, 1));
        var evalPath = Path.Combine(dir, "eval.jsonl");
        File.WriteAllLines(evalPath, Generate(150, 2));
        var tok = new WordTokenizer(Topics.SelectMany(t => t).Concat(Filler));
        var builder = new DatasetBuilder(tok, TrainingTask.Classify, 32);
        var train = builder.BuildFromFile(trainPath);
        var eval = builder.BuildFromFile(evalPath, train.ClassNames);
        Assert.Equal(["finance", "space", "sport"], train.ClassNames);

        var model = TinySetup.Model(tok.VocabSize, 7, classes: 3, hidden: 64);
        var trainer = new Trainer(model, TinySetup.Forward(model), new TrainerOptions
        {
            OutputDir = Path.Combine(dir, "out"), Epochs = 15, BatchSize = 16, LearningRate = 3e-3, Classification = true,
            EvalEvery = 25, EarlyStoppingPatience = 6, LogEvery = 50, Seed = 5,
        });
        var result = trainer.Train(train.Examples, eval.Examples);
        var final = trainer.Evaluate(eval.Examples);
        Assert.True(final.Accuracy >= 0.95, $"eval accuracy {final.Accuracy:P1}, macro-F1 {final.MacroF1:F3}");
        Assert.True(final.MacroF1 >= 0.94);
        Assert.True(Directory.Exists(Path.Combine(dir, "out", "checkpoints", "best")));
        Assert.Contains("\"accuracy\"", File.ReadAllText(Path.Combine(dir, "out", "metrics.jsonl")));
    }
}
