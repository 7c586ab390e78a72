using RagTune.Tests;
using RagTune.Training.Tests.Support;

namespace RagTune.Cli.Tests.Commands;

[Trait("Tier", "Integration")]   // end to end: trains or runs the demo or a ragtune process (dotnet test --filter "Tier!=Integration" skips it)
public class FinetuneCommandTests
{
    [Theory]
    [InlineData("", "no records")]
    [InlineData("{\"text\":\"a b\"}\n{broken", ":2:")]
    [InlineData("{\"txt\":\"a b\"}", "missing field \"text\"")]
    public async Task BadDataFailsClearlyAndWritesNoOutput(string content, string expected)
    {
        var root = TestPaths.NewTempDir();
        var model = TinyModelFolder.Create(Path.Combine(root, "model"), ["a b c"], hidden: 16, layers: 1, heads: 2);
        var data = Path.Combine(root, "train.jsonl");
        File.WriteAllText(data, content);
        var outDir = Path.Combine(root, "out");
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["finetune", "--model", model, "--data", data, "--task", "causal", "--out", outDir], new StringWriter(), stderr);
        Assert.Equal((int)ExitCode.BadInput, code);
        Assert.Contains(expected, stderr.ToString());
        Assert.False(Directory.Exists(outDir), "no output folder for a failed run");
    }
}
