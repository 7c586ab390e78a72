using System.Globalization;
using RagTune.Tests;
using RagTune.Training.Tests.Support;

namespace RagTune.Cli.Tests.Commands;

/// <summary>finetune --task classify (LoRA + merge) on an engine Llama, then classify the eval file with the output folder.</summary>
[Trait("Tier", "Integration")]   // end to end: trains or runs the demo or a ragtune process (dotnet test --filter "Tier!=Integration" skips it)
public class ClassifyCommandTests
{
    static readonly string[][] Topics = [["goal", "match", "coach"], ["stock", "bank", "loan"], ["planet", "orbit", "comet"]];
    static readonly string[] Names = ["sport", "finance", "space"];

    static IEnumerable<string> Lines(int n, int seed)
    {
        var rng = new Random(seed);
        string[] filler = ["the", "a", "new", "big", "report"];
        for (var i = 0; i < n; i++)
        {
            var label = rng.Next(3);
            var words = Enumerable.Range(0, 4).Select(_ => filler[rng.Next(5)]).ToList();
            words.Insert(rng.Next(5), Topics[label][rng.Next(3)]);
            yield return $$"""{"text":"{{string.Join(' ', words)}}","label":"{{Names[label]}}"}""";
        }
    }

    static async Task<(int Code, string Out)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        return (await CliApp.RunAsync(args, stdout, new StringWriter()), stdout.ToString());
    }

    [Fact]
    public async Task FinetunedClassifierFolderWorksWithClassify()
    {
        var root = TestPaths.NewTempDir();
        var train = Path.Combine(root, "train.jsonl");
        File.WriteAllLines(train, Lines(240, 1));
        var eval = Path.Combine(root, "eval.jsonl");
        File.WriteAllLines(eval, Lines(60, 2));
        var model = TinyModelFolder.Create(Path.Combine(root, "model"), File.ReadAllLines(train).Concat(File.ReadAllLines(eval))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!), hidden: 32, layers: 1, heads: 2);
        var outDir = Path.Combine(root, "out");
        var (code, _) = await Run("finetune", "--model", model, "--data", train, "--eval", eval, "--task", "classify", "--method", "lora",
                                  "--target", "all-linear", "--lora-r", "8", "--epochs", "6", "--lr", "5e-3", "--batch-size", "16", "--merge", "--out", outDir);
        Assert.Equal(0, code);
        Assert.True(File.Exists(Path.Combine(outDir, "adapter_config.json")));
        Assert.True(File.Exists(Path.Combine(outDir, "model.safetensors")));
        Assert.Contains("\"id2label\"", File.ReadAllText(Path.Combine(outDir, "config.json")));

        var (code2, output) = await Run("classify", "--model", outDir, "--data", eval);
        Assert.Equal(0, code2);
        var lines = output.Trim().Split('\n');
        Assert.Equal(61, lines.Length);
        Assert.StartsWith("accuracy=", lines[^1]);
        var accuracy = double.Parse(lines[^1].Split(' ')[0]["accuracy=".Length..], CultureInfo.InvariantCulture);
        Assert.True(accuracy >= 0.9, lines[^1]);
        var (code3, one) = await Run("classify", "--model", outDir, "--text", "the big orbit report");
        Assert.Equal(0, code3);
        Assert.StartsWith("space\t", one);
    }

    [Fact]
    public async Task AdapterOnlyFolderClassifiesLikeTheMergedModel()
    {
        var root = TestPaths.NewTempDir();
        var train = Path.Combine(root, "train.jsonl");
        File.WriteAllLines(train, Lines(120, 3));
        var eval = Path.Combine(root, "eval.jsonl");
        File.WriteAllLines(eval, Lines(30, 4));
        var model = TinyModelFolder.Create(Path.Combine(root, "model"), File.ReadAllLines(train).Concat(File.ReadAllLines(eval))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!), hidden: 32, layers: 1, heads: 2);
        var merged = Path.Combine(root, "merged");
        var (code, _) = await Run("finetune", "--model", model, "--data", train, "--task", "classify", "--method", "lora",
                                  "--target", "q_proj,v_proj", "--epochs", "3", "--lr", "5e-3", "--batch-size", "16", "--merge", "--out", merged);
        Assert.Equal(0, code);

        // The adapter alone, moved next to the base model, with base_model_name_or_path made relative to it.
        var adapter = Path.Combine(root, "adapter");
        Directory.CreateDirectory(adapter);
        foreach (var f in new[] { "adapter_config.json", "adapter_model.safetensors", "labels.json", "tokenizer.json", "tokenizer_config.json" })
            File.Copy(Path.Combine(merged, f), Path.Combine(adapter, f));
        var config = File.ReadAllText(Path.Combine(adapter, "adapter_config.json"));
        Assert.Contains($"\"base_model_name_or_path\": \"{model.Replace("\\", "\\\\")}\"", config);
        File.WriteAllText(Path.Combine(adapter, "adapter_config.json"), config.Replace(model, "../model"));
        Assert.Contains("\"modules_to_save\"", config);

        var (c1, fromMerged) = await Run("classify", "--model", merged, "--data", eval);
        var (c2, fromAdapter) = await Run("classify", "--model", adapter, "--data", eval);
        Assert.Equal(0, c1);
        Assert.Equal(0, c2);
        Assert.Equal(fromMerged, fromAdapter);
        Assert.StartsWith("accuracy=", fromAdapter.Trim().Split('\n')[^1]);

        File.WriteAllText(Path.Combine(adapter, "adapter_config.json"), config.Replace(model, "../missing"));
        var (c3, _) = await Run("classify", "--model", adapter, "--text", "the big orbit report");
        Assert.NotEqual(0, c3);
    }
}
