using Microsoft.ML.OnnxRuntime;
using RagTune.Models.Clients;
using RagTune.Models.Onnx;
using RagTune.Models.Tokenization;
using RagTune.Tests;
using static TorchSharp.torch;

namespace RagTune.Models.Tests.Onnx;

/// <summary>
/// The imported built-in encoders against ONNX Runtime running the very ONNX file they were imported from: a padded
/// batch of varied texts, hidden states and pooled sentence embeddings.
/// </summary>
public sealed class OnnxParityTests
{
    static readonly string[] Texts =
    [
        "Hello, World! Tokenizers aren't easy.",
        "A man is eating food.",
        "The capital of Veltoria is Marnis, a city of 1,204,000 people founded in 1642 on the banks of the river Ost.",
        "Café déjà vu — naïve façades; 東京 and Zürich.",
        "What is the boiling point of water at sea level?",
        "x",
        string.Join(' ', Enumerable.Repeat("Retrieval-augmented generation grounds answers in documents.", 12)),
    ];

    [Theory]
    [InlineData("minilm", 1)]
    [InlineData("arctic-xs", 1)]
    [InlineData("minilm", 2)] // 14 × 125 tokens: past BertSelfAttention.FusedProjectionRows, the fused q/k/v GEMM
    public void ImportedEncoderMatchesOnnxRuntime(string name, int copies)
    {
        var texts = Enumerable.Repeat(Texts, copies).SelectMany(x => x).ToArray();
        var folder = TestEncoders.Folder(name);
        var tokenizer = TokenizerLoader.FromFolder(folder);
        var reference = TokenizerLoader.FromFolder(TestPaths.Tokenizer("bert-base-uncased"));
        var ids = texts.Select(t => tokenizer.Encode(t, addSpecialTokens: true).ToArray()).ToArray();
        foreach (var (text, row) in texts.Zip(ids))
            Assert.Equal(reference.Encode(text, addSpecialTokens: true), row); // the HF-checked uncased WordPiece
        Assert.Equal([101, 7592, 1010, 2088, 999, 19204, 17629, 2015, 4995, 1005, 1056, 3733, 1012, 102], ids[0]);

        var (b, t) = (ids.Length, ids.Max(r => r.Length));
        var (inputIds, mask, types) = (new long[b * t], new long[b * t], new long[b * t]);
        for (var i = 0; i < b; i++)
            for (var j = 0; j < ids[i].Length; j++) (inputIds[i * t + j], mask[i * t + j]) = (ids[i][j], 1);

        var expected = RunOnnxRuntime(TestEncoders.OnnxBytes(name), inputIds, mask, types, b, t);
        using var model = ModelLoader.LoadEncoder(folder);
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var hidden = model.Forward(tensor(inputIds, [b, t]), tensor(mask, [b, t]), tensor(types, [b, t])).LastHiddenState.contiguous();
        var actual = hidden.data<float>().ToArray();
        var h = (int)hidden.shape[2];
        Assert.Equal(expected.Length, actual.Length);
        double maxReal = 0;
        for (var i = 0; i < actual.Length; i++)
            if (mask[i / h] == 1) maxReal = Math.Max(maxReal, Math.Abs(actual[i] - expected[i]));
        Assert.True(maxReal <= 1e-4, $"{name}: last_hidden_state max |Δ| over real tokens = {maxReal:E2} (limit 1e-4)");

        // Sentence embeddings as sentence-transformers computes them from ONNX Runtime's hidden states.
        var settings = SentenceEmbeddingSettings.FromFolder(folder);
        using var generator = LocalClientFactory.CreateEmbeddingGenerator(folder);
        var ours = generator.GenerateAsync(texts).GetAwaiter().GetResult();
        for (var i = 0; i < b; i++)
        {
            var pooled = new double[h];
            if (settings.Mode == PoolingMode.Cls)
                for (var k = 0; k < h; k++) pooled[k] = expected[i * t * h + k];
            else
            {
                for (var j = 0; j < ids[i].Length; j++)
                    for (var k = 0; k < h; k++) pooled[k] += expected[(i * t + j) * h + k];
                for (var k = 0; k < h; k++) pooled[k] /= ids[i].Length;
            }
            var v = ours[i].Vector.Span;
            double dot = 0, nr = 0, no = 0;
            for (var k = 0; k < h; k++) { dot += pooled[k] * v[k]; nr += pooled[k] * pooled[k]; no += v[k] * (double)v[k]; }
            var cosine = dot / Math.Sqrt(nr * no);
            Assert.True(cosine >= 0.99999, $"{name}: pooled embedding of text {i} cosine {cosine:F7} (limit 0.99999)");
            Assert.Equal(1.0, Math.Sqrt(no), 4); // normalised, as the folder's Normalize module says
        }
    }

    static float[] RunOnnxRuntime(byte[] onnx, long[] ids, long[] mask, long[] types, int b, int t)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(onnx, options);
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, [b, t]);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, [b, t]);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(types, [b, t]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["input_ids", "attention_mask", "token_type_ids"], [idsValue, maskValue, typesValue], ["last_hidden_state"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
