using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;

namespace RagTune.Tests.Gguf;

/// <summary>
/// llama.cpp (through LLamaSharp) as the reference: loads a GGUF file on the CPU with an explicit thread count (no
/// process-wide settings), returns the logits of every position and greedy continuations.
/// </summary>
public sealed class LlamaCpp : IDisposable
{
    readonly LLamaWeights _weights;
    readonly LLamaContext _context;

    public LlamaCpp(string ggufPath, int contextSize = 256, string? loraPath = null)
    {
        var parameters = new ModelParams(ggufPath)
        {
            ContextSize = (uint)contextSize,
            GpuLayerCount = 0,
            Threads = 1,
            BatchThreads = 1,
            BatchSize = (uint)contextSize,
            UBatchSize = (uint)contextSize,
            // The default KV cache is F16, which alone moves logits by ~1e-2; the comparison needs llama.cpp's float32 path.
            TypeK = GGMLType.GGML_TYPE_F32,
            TypeV = GGMLType.GGML_TYPE_F32,
            FlashAttention = false,
        };
        _weights = LLamaWeights.LoadFromFile(parameters);
        _context = _weights.CreateContext(parameters);
        if (loraPath is not null)
        {
            var adapter = _weights.NativeHandle.LoadLoraFromFile(loraPath);
            _context.NativeHandle.SetLoraAdapters([(adapter, 1f)]);
        }
    }

    public int VocabSize => _weights.Vocab.Count;

    /// <summary>Logits [position][vocab] for <paramref name="ids"/> evaluated in one batch from position 0.</summary>
    public float[][] Logits(IReadOnlyList<int> ids)
    {
        _context.NativeHandle.MemoryClear(true);
        var batch = new LLamaBatch();
        for (var i = 0; i < ids.Count; i++) batch.Add(ids[i], i, LLamaSeqId.Zero, true);
        Check(_context.NativeHandle.Decode(batch));
        return Enumerable.Range(0, ids.Count).Select(i => _context.NativeHandle.GetLogitsIth(i).ToArray()).ToArray();
    }

    /// <summary>Greedy continuation: the prompt in one batch, then one token at a time.</summary>
    public List<int> Greedy(IReadOnlyList<int> prompt, int newTokens)
    {
        _context.NativeHandle.MemoryClear(true);
        var batch = new LLamaBatch();
        for (var i = 0; i < prompt.Count; i++) batch.Add(prompt[i], i, LLamaSeqId.Zero, i == prompt.Count - 1);
        Check(_context.NativeHandle.Decode(batch));
        var output = new List<int>();
        var logitsIndex = prompt.Count - 1;
        for (var step = 0; step < newTokens; step++)
        {
            var logits = _context.NativeHandle.GetLogitsIth(logitsIndex);
            var next = ArgMax(logits);
            output.Add(next);
            batch.Clear();
            batch.Add(next, prompt.Count + step, LLamaSeqId.Zero, true);
            Check(_context.NativeHandle.Decode(batch));
            logitsIndex = 0;
        }
        return output;
    }

    /// <summary>llama.cpp's tokenization (special tokens parsed in the text, BOS as the file says).</summary>
    public int[] Tokenize(string text, bool addSpecial) =>
        _weights.Tokenize(text, addSpecial, special: true, Encoding.UTF8).Select(t => (int)t).ToArray();

    /// <summary>llama.cpp's tokenization of each text with only the vocabulary loaded (special tokens parsed, BOS as the file says).</summary>
    public static List<int[]> TokenizeWithVocabularyOnly(string ggufPath, IEnumerable<string> texts)
    {
        using var weights = LLamaWeights.LoadFromFile(new ModelParams(ggufPath) { VocabOnly = true, GpuLayerCount = 0 });
        return texts.Select(t => weights.Tokenize(t, true, special: true, Encoding.UTF8).Select(x => (int)x).ToArray()).ToList();
    }

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    public void Dispose()
    {
        _context.Dispose();
        _weights.Dispose();
    }

    static void Check(DecodeResult result)
    {
        if (result != DecodeResult.Ok) throw new InvalidOperationException($"llama.cpp decode failed: {result}");
    }
}
