using System.CommandLine;
using RagTune.Cli.Commands;
using RagTune.Models.Hub;
using RagTune.Models.SafeTensors;
using RagTune.Tests;

namespace RagTune.Cli.Tests.Commands;

public class GenerateCommandTests
{
    static (int Exit, string Out, string Err) Run(GenerateCommand verb, params string[] args)
    {
        var root = new RootCommand { verb.Build() };
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = root.Parse(["generate", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    static (string Prompt, string Expected) Reference(string fixture)
    {
        var tensors = SafeTensorsFile.LoadAll(Path.Combine(TestPaths.Parity(fixture), "reference.safetensors"));
        var prompt = tensors["generation_prompt_ids"].data<long>().ToArray();
        var output = tensors["generation_output_ids"].data<long>().ToArray();
        foreach (var t in tensors.Values) t.Dispose();
        return (string.Join(",", prompt), string.Join(",", output[prompt.Length..]));
    }

    static string LastLine(string text) => text.TrimEnd('\n', '\r').Split('\n')[^1].TrimEnd('\r');

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PromptIdsPrintTheReferenceGreedyIds(bool stream)
    {
        var (prompt, expected) = Reference("llama3-style");
        string[] args = ["--model", TestPaths.Parity("llama3-style"), "--prompt-ids", prompt, "--max-new-tokens", "16", "--temperature", "0"];
        var (exit, output, error) = Run(new GenerateCommand(), stream ? [.. args, "--stream"] : args);
        Assert.True(exit == 0, error);
        Assert.Equal(expected, LastLine(output));
    }

    [Theory]
    [InlineData("bf16")]
    [InlineData("int8")]
    public void ReducedPrecisionWeightsKeepTheGreedyStart(string weights)
    {
        var (prompt, expected) = Reference("llama3-style");
        var (exit, output, error) = Run(new GenerateCommand(), "--model", TestPaths.Parity("llama3-style"), "--prompt-ids", prompt,
            "--max-new-tokens", "16", "--weights", weights);
        Assert.True(exit == 0, error);
        var ids = LastLine(output).Split(',');
        Assert.Equal(16, ids.Length);
        Assert.Equal(expected.Split(',').Take(4), ids.Take(4)); // rounding may change later near-ties, not the start
        Assert.NotEqual(0, Run(new GenerateCommand(), "--model", TestPaths.Parity("llama3-style"), "--prompt-ids", prompt, "--weights", "fp16").Exit);
    }

    [Fact]
    public void SeededSamplingIsReproducible()
    {
        var (prompt, _) = Reference("gpt2");
        string[] args = ["--model", TestPaths.Parity("gpt2"), "--prompt-ids", prompt, "--max-new-tokens", "12", "--temperature", "1", "--top-k", "40", "--seed", "3"];
        var first = Run(new GenerateCommand(), args);
        var second = Run(new GenerateCommand(), args);
        Assert.Equal(0, first.Exit);
        Assert.Equal(LastLine(first.Out), LastLine(second.Out));
        Assert.Equal(12, LastLine(first.Out).Split(',').Length);
    }

    [Fact]
    public void RepoIdResolvesFromTheHubCacheOffline()
    {
        var cache = TestPaths.NewTempDir("cli-hub");
        var commit = new string('a', 40);
        var snapshot = Path.Combine(cache, "models--org--tiny-llama", "snapshots", commit);
        Directory.CreateDirectory(snapshot);
        foreach (var file in new[] { "config.json", "generation_config.json", "model.safetensors" })
            File.Copy(Path.Combine(TestPaths.Parity("llama3-style"), file), Path.Combine(snapshot, file));
        Directory.CreateDirectory(Path.Combine(cache, "models--org--tiny-llama", "refs"));
        File.WriteAllText(Path.Combine(cache, "models--org--tiny-llama", "refs", "main"), commit);
        var verb = new GenerateCommand(() => new HubOptions { CacheDirectory = cache, Endpoint = "http://127.0.0.1:9" });

        var (prompt, expected) = Reference("llama3-style");
        var (exit, output, error) = Run(verb, "--model", "org/tiny-llama", "--offline", "--prompt-ids", prompt, "--max-new-tokens", "16");
        Assert.True(exit == 0, error);
        Assert.Equal(expected, LastLine(output));

        var missing = Run(verb, "--model", "org/absent", "--offline", "--prompt-ids", prompt);
        Assert.Equal((int)ExitCode.NotFound, missing.Exit);
        Assert.Contains("org/absent", missing.Err);
        Assert.Contains("offline", missing.Err);
        Directory.Delete(cache, recursive: true);
    }

    [Fact]
    public void BadArgumentsAreReported()
    {
        var dir = TestPaths.Parity("llama3-style");
        Assert.Equal((int)ExitCode.BadArguments, Run(new GenerateCommand(), "--model", dir).Exit);
        Assert.Equal((int)ExitCode.BadArguments, Run(new GenerateCommand(), "--model", dir, "--prompt-ids", "1,x").Exit);
        var outOfVocab = Run(new GenerateCommand(), "--model", dir, "--prompt-ids", "1,9999");
        Assert.Equal((int)ExitCode.BadArguments, outOfVocab.Exit);
        Assert.Contains("9999", outOfVocab.Err);
    }
}
