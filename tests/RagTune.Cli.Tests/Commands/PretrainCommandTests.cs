namespace RagTune.Cli.Tests.Commands;

/// <summary><c>ragtune pretrain</c> through <see cref="CliApp"/>: bad input is a clear error (the recipe itself is tested in RagTune.Training.Tests).</summary>
[Collection(TokenizeCommandConsoleCollection.Name)]
public class PretrainCommandTests
{
    [Fact]
    public async Task MissingCorpus_IsABadInputNamingTheFile()
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var stderr = new StringWriter();
        Console.SetOut(new StringWriter());
        Console.SetError(stderr);
        try
        {
            var missing = Path.Combine(Path.GetTempPath(), "ragtune-no-such-corpus.jsonl");
            var exit = await CliApp.RunAsync(["pretrain", "--data", missing, "--out", Path.Combine(Path.GetTempPath(), "ragtune-pretrain-never")]);
            Assert.Equal((int)ExitCode.BadInput, exit);
            Assert.Contains(missing, stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
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
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        Console.SetOut(new StringWriter());
        Console.SetError(new StringWriter());
        int exit;
        try
        {
            exit = await CliApp.RunAsync(["pretrain", "--data", corpus, "--out", outDir, "--vocab-size", "300", "--hidden", "32", "--layers", "1", "--heads", "2",
                                          "--max-seq-len", "64", "--max-steps", "1", "--lr", "1e-5", "--attention-init", init]);
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
        Assert.Equal((int)ExitCode.Ok, exit);
        using var model = RagTune.Models.ModelLoader.Load(outDir);
        var w = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var (q, k) = (w["model.layers.0.self_attn.q_proj.weight"], w["model.layers.0.self_attn.k_proj.weight"]);
        var relative = (q - k).norm().item<float>() / q.norm().item<float>();
        Assert.True(keysAreQueries ? relative < 0.01 : relative > 1.0, $"{init}: |W_q - W_k| / |W_q| = {relative:F4}");
    }
}
