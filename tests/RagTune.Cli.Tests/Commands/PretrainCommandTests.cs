namespace RagTune.Cli.Tests.Commands;

/// <summary><c>ragtune pretrain</c> through <see cref="CliApp"/>: bad input is a clear error (the recipe itself is tested in RagTune.Training.Tests).</summary>
public class PretrainCommandTests
{
    [Fact]
    public async Task MissingCorpus_IsABadInputNamingTheFile()
    {
        var stderr = new StringWriter();
        var missing = Path.Combine(Path.GetTempPath(), "ragtune-no-such-corpus.jsonl");
        var exit = await CliApp.RunAsync(["pretrain", "--data", missing, "--out", Path.Combine(Path.GetTempPath(), "ragtune-pretrain-never")], new StringWriter(), stderr);
        Assert.Equal((int)ExitCode.BadInput, exit);
        Assert.Contains(missing, stderr.ToString());
    }

    [Theory]
    [InlineData("mimetic", true)]
    [InlineData("random", false)]
    public async Task AttentionInit_reaches_the_recipe(string init, bool keysAreQueries)
    {
        var dir = Directory.CreateTempSubdirectory("ragtune-pretrain-cli").FullName;
        var corpus = Path.Combine(dir, "corpus.txt");
        File.WriteAllText(corpus, string.Join("\n\n", Enumerable.Range(0, 40).Select(i => $"Person {i % 7} lives in city {i % 5}. They walk to the river every day.")));
        var outDir = Path.Combine(dir, "model");
        var exit = await CliApp.RunAsync(["pretrain", "--data", corpus, "--out", outDir, "--vocab-size", "300", "--hidden", "32", "--layers", "1", "--heads", "2",
                                          "--max-seq-len", "64", "--max-steps", "1", "--lr", "1e-5", "--attention-init", init], new StringWriter(), new StringWriter());
        Assert.Equal((int)ExitCode.Ok, exit);
        using var model = RagTune.Models.ModelLoader.Load(outDir);
        var w = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var (q, k) = (w["model.layers.0.self_attn.q_proj.weight"], w["model.layers.0.self_attn.k_proj.weight"]);
        var relative = (q - k).norm().item<float>() / q.norm().item<float>();
        Assert.True(keysAreQueries ? relative < 0.01 : relative > 1.0, $"{init}: |W_q - W_k| / |W_q| = {relative:F4}");
    }

    [Fact]
    public async Task Stages_validation_and_rope_base_reach_the_recipe()
    {
        var dir = Directory.CreateTempSubdirectory("ragtune-pretrain-cli-stages").FullName;
        var corpus = Path.Combine(dir, "corpus.txt");
        File.WriteAllText(corpus, string.Join("\n\n", Enumerable.Range(0, 40).Select(i => $"Person {i % 7} lives in city {i % 5}. They walk to the river every day.")));
        var stage = Path.Combine(dir, "stage.txt");
        File.WriteAllText(stage, string.Join("\n\n", Enumerable.Range(0, 40).Select(i => $"City {i % 5} has a river. Person {i % 7} walks there.")));
        var validation = Path.Combine(dir, "held-out.txt");
        File.WriteAllText(validation, "Person 3 lives in city 2. They walk to the river every day.");
        var outDir = Path.Combine(dir, "model");
        var stdout = new StringWriter();
        var exit = await CliApp.RunAsync(["pretrain", "--data", corpus, "--out", outDir, "--vocab-size", "300", "--hidden", "32", "--layers", "1", "--heads", "2",
                                          "--max-seq-len", "64", "--max-steps", "2", "--stage", $"{stage}:3:4:0.01", "--validation", validation,
                                          "--rope-theta", "500000"], stdout, new StringWriter());
        var text = stdout.ToString();
        Assert.Equal((int)ExitCode.Ok, exit);
        // (Spectre wraps long lines, so only the start of the stage's line is matched; its learning rate is in the options line.)
        Assert.Contains("stage 1 of 2: 3 steps of 4 on", text);
        Assert.Contains("\"LearningRate\":0.01", text.Replace("\n", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal));
        // The held-out text is scored at the end of each stage (no --eval-every): after the stage's 3 steps and the corpus' 2.
        Assert.Contains("eval step 3:", text);
        Assert.Contains("eval step 2:", text);
        Assert.False(text.Contains("\u001b[", StringComparison.Ordinal), text.Replace("\u001b", "<ESC>"));   // a writer that is not a terminal gets no colour codes
        Assert.True(File.Exists(Path.Combine(outDir, "stage-1", "metrics.jsonl")));
        Assert.Equal(500_000, RagTune.Models.ModelConfig.FromFolder(outDir).RopeTheta);
    }

    [Theory]
    [InlineData("drills.jsonl:300", "drills.jsonl", 300, 16, 3e-3)]
    [InlineData("drills.jsonl:300:32", "drills.jsonl", 300, 32, 3e-3)]
    [InlineData("c:/data/drills.jsonl:300:32:0.01", "c:/data/drills.jsonl", 300, 32, 0.01)]
    public void A_stage_is_corpus_steps_batch_and_learning_rate(string spec, string path, int steps, int batch, double lr)
    {
        Assert.Equal(new RagTune.Training.Pretraining.PretrainStage(path, steps, batch, lr), RagTune.Cli.Commands.PretrainCommand.ParseStage(spec, 16, 3e-3));
    }

    [Theory]
    [InlineData("drills.jsonl")]
    [InlineData("drills.jsonl:0")]
    [InlineData("drills.jsonl:3.5")]
    [InlineData("drills.jsonl:300:-2")]
    [InlineData("drills.jsonl:300:32:0")]
    [InlineData("drills.jsonl:300:32:NaN")]
    [InlineData("drills.jsonl:300:32:Infinity")]
    public void A_bad_stage_is_a_clear_error(string spec)
    {
        var e = Assert.Throws<UserFacingException>(() => RagTune.Cli.Commands.PretrainCommand.ParseStage(spec, 16, 3e-3));
        Assert.Contains($"--stage '{spec}'", e.Message);
        Assert.Equal(ExitCode.BadInput, e.ExitCode);
    }
}
