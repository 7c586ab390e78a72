using RagTune.Models.Generation;
using RagTune.Models.Gguf;
using RagTune.Tests;
using static TorchSharp.torch;
using RagTune.Tests.Gguf;

namespace RagTune.Models.Tests.Gguf;

/// <summary>
/// Our GGUF export read by llama.cpp itself: the file loads, its logits match ours at every position and its greedy
/// continuation equals ours (and the Hugging Face reference's) — on the llama3-style parity model (GQA, llama3 RoPE
/// scaling, untied head).
/// </summary>
public sealed class GgufLlamaCppParityTests : IDisposable
{
    readonly string _dir = TinyTokenizers.ModelWithTokenizer(TestPaths.Parity("llama3-style"), 512);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void F32_export_gives_llamacpp_the_same_logits_and_greedy_continuation()
    {
        var path = Path.Combine(_dir, "model-f32.gguf");
        GgufExporter.Export(_dir, path, new GgufExportOptions { FileType = GgufFileType.F32 });
        using var parity = new Parity("llama3-style");
        var expectedOutput = parity["generation_output_ids"][0].data<long>().Select(i => (int)i).ToList();
        var prompt = expectedOutput.Take(8).ToList();

        using var reference = new LlamaCpp(path);
        var logits = reference.Logits(expectedOutput);
        using var model = ModelLoader.LoadCausalLanguageModel(_dir);
        using (no_grad())
        using (var ours = model.Forward(tensor(expectedOutput.Select(i => (long)i).ToArray()).unsqueeze(0)))
        {
            var diff = MaxAbsDiff(ours[0], logits);
            Assert.True(diff <= 1e-3, $"llama.cpp vs ours over {expectedOutput.Count} positions: max |Δlogit| = {diff:E3} > 1e-3");
        }

        var llamaGreedy = reference.Greedy(prompt, 16);
        var ourGreedy = new TextGenerator(model).Generate(prompt, new GenerationOptions { MaxNewTokens = 16, StopTokenIds = [] }).TokenIds;
        Assert.Equal(expectedOutput.Skip(8), ourGreedy);
        Assert.Equal(ourGreedy, llamaGreedy);
    }

    internal static double MaxAbsDiff(Tensor ours, float[][] reference)
    {
        var max = 0.0;
        var values = ours.to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        var vocab = reference[0].Length;
        for (var p = 0; p < reference.Length; p++)
            for (var v = 0; v < vocab; v++)
                max = Math.Max(max, Math.Abs(values[p * vocab + v] - reference[p][v]));
        return max;
    }
}
