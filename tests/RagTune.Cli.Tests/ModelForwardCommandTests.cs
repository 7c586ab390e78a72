using System.Text.Json.Nodes;
using RagTune.Tests;

namespace RagTune.Cli.Tests;

/// <summary><c>ragtune model forward</c> against the parity fixtures' reference outputs (reference.json).</summary>
public sealed class ModelForwardCommandTests : IDisposable
{
    readonly string dir = TestPaths.NewTempDir("ragtune-cli-forward");

    public void Dispose() => Directory.Delete(dir, recursive: true);

    (JsonObject Outputs, JsonObject Reference) Run(string fixture, params string[] inputNames)
    {
        var reference = JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.Parity(fixture), "reference.json")))!.AsObject();
        var input = new JsonObject();
        foreach (var name in inputNames) input[name] = reference[name]!.DeepClone();
        var inPath = Path.Combine(dir, "in.json");
        var outPath = Path.Combine(dir, "out.json");
        File.WriteAllText(inPath, input.ToJsonString());
        var code = CliApp.RunAsync(["model", "forward", "--model", TestPaths.Parity(fixture), "--input", inPath, "--output", outPath]).GetAwaiter().GetResult();
        Assert.Equal(0, code);
        return (JsonNode.Parse(File.ReadAllText(outPath))!["outputs"]!.AsObject(), reference["tensors"]!.AsObject());
    }

    static float[] Flatten(JsonNode node) => node is JsonArray a ? a.SelectMany(x => Flatten(x!)).ToArray() : [node.GetValue<float>()];

    /// <summary>Max |Δ| between an output and a reference tensor over rows×positions whose mask is 1.</summary>
    static void AssertClose(JsonNode output, JsonNode expected, long[]? maskFlat = null, double tolerance = 1e-4)
    {
        Assert.Equal(Flatten(expected["shape"]!).Select(x => (long)x), output["shape"]!.AsArray().Select(x => x!.GetValue<long>()));
        var actual = Flatten(output["data"]!);
        var reference = Flatten(expected["data"]!);
        Assert.Equal(reference.Length, actual.Length);
        var perPosition = maskFlat is null ? reference.Length : reference.Length / maskFlat.Length;
        var max = 0.0;
        for (var i = 0; i < actual.Length; i++)
            if (maskFlat is null || maskFlat[i / perPosition] == 1) max = Math.Max(max, Math.Abs(actual[i] - reference[i]));
        Assert.True(max <= tolerance, $"max |Δ| = {max:E3} exceeds {tolerance:E1}");
    }

    [Fact]
    public void BertBaseModelWritesHiddenStatesAndPooler()
    {
        var (outputs, reference) = Run("bert/base-model", "input_ids", "attention_mask", "token_type_ids");
        AssertClose(outputs["last_hidden_state"]!, reference["last_hidden_state"]!);
        AssertClose(outputs["pooler_output"]!, reference["pooler_output"]!);
    }

    [Fact]
    public void BertClassifierWritesLogits()
    {
        var (outputs, reference) = Run("bert/sequence-classification", "input_ids", "attention_mask", "token_type_ids");
        AssertClose(outputs["logits"]!, reference["logits"]!);
    }

    [Fact]
    public void Gpt2WritesLogitsWithPositionsFromMask()
    {
        var (outputs, reference) = Run("gpt2", "input_ids", "attention_mask");
        var mask = Flatten(reference["attention_mask"]!["data"]!).Select(x => (long)x).ToArray();
        AssertClose(outputs["logits"]!, reference["logits_position_ids_from_mask"]!, mask);
    }

    [Fact]
    public void MissingModelFolderIsNotFound()
    {
        var inPath = Path.Combine(dir, "in.json");
        File.WriteAllText(inPath, """{"input_ids": [[1, 2]]}""");
        var code = CliApp.RunAsync(["model", "forward", "--model", Path.Combine(dir, "nope"), "--input", inPath, "--output", Path.Combine(dir, "o.json")]).GetAwaiter().GetResult();
        Assert.Equal((int)ExitCode.NotFound, code);
    }

    [Fact]
    public void OutOfVocabularyIdIsBadInput()
    {
        var inPath = Path.Combine(dir, "in.json");
        File.WriteAllText(inPath, """{"input_ids": [[1, 99999]]}""");
        var code = CliApp.RunAsync(["model", "forward", "--model", TestPaths.Parity("gpt2"), "--input", inPath, "--output", Path.Combine(dir, "o.json")]).GetAwaiter().GetResult();
        Assert.Equal((int)ExitCode.BadInput, code);
    }
}
