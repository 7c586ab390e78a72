using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using LLama;
using LLama.Common;
using LLama.Native;
using RagTune.Models;
using RagTune.Models.Generation;
using RagTune.Models.Gguf;
using static TorchSharp.torch;

namespace RagTune.Bench;

/// <summary>
/// <c>bench generation --vs-llamacpp</c>: the SmolLM2-135M-shaped benchmark model exported to GGUF, then llama.cpp
/// (LLamaSharp, 2 threads, batch 1) and our engine measured on the same files in one process, A/B interleaved: prefill of
/// a 128-token prompt and decode of 64 tokens after it, per precision row (F32; ours bf16 vs llama.cpp F16 and BF16;
/// ours int8 blocks vs Q8_0), with the memory read bandwidth measured before every round. Medians over the rounds.
/// </summary>
public static class LlamaCppGenerationBench
{
    const int PromptLength = 128;
    const int DecodeSteps = 64;
    const int Threads = 2;

    sealed record Measurement(double PrefillTokensPerSecond, double DecodeTokensPerSecond);

    sealed record Row(string Ours, string LlamaCpp, double OursPrefill, double LlamaPrefill, double PrefillRatio,
        double OursDecode, double LlamaDecode, double DecodeRatio, double BandwidthGbPerS, string Rounds);

    public static int Run(string[] args)
    {
        set_num_threads(Threads);
        var rounds = args.SkipWhile(a => a != "--rounds").Skip(1).Select(int.Parse).FirstOrDefault(3);
        var work = Path.Combine(Path.GetTempPath(), $"ragtune-bench-gguf-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        try
        {
            Console.WriteLine("exporting the benchmark model to GGUF …");
            var files = Export(work);
            var prompt = Enumerable.Range(0, PromptLength).Select(i => 3 + i * 7919 % 40000).ToArray();
            var rows = new List<Row>
            {
                Compare("fp32", files["f32"], WeightPrecision.Fp32, "F32", files["f32"], prompt, rounds),
                Compare("bf16 weights", files["bf16"], WeightPrecision.Bf16, "F16", files["f16"], prompt, rounds),
                Compare("bf16 weights", files["bf16"], WeightPrecision.Bf16, "BF16", files["bf16"], prompt, rounds),
                Compare("int8 blocks", files["q8_0"], WeightPrecision.Int8, "Q8_0", files["q8_0"], prompt, rounds),
            };
            var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
            Console.WriteLine();
            Console.WriteLine($"{"ours",-13} {"llama.cpp",-9} {"prefill ours",13} {"llama.cpp",10} {"ratio",6} {"decode ours",12} {"llama.cpp",10} {"ratio",6} {"GB/s",6}");
            foreach (var r in rows)
                Console.WriteLine($"{r.Ours,-13} {r.LlamaCpp,-9} {r.OursPrefill,13:F1} {r.LlamaPrefill,10:F1} {r.PrefillRatio,6:F2} {r.OursDecode,12:F1} {r.LlamaDecode,10:F1} {r.DecodeRatio,6:F2} {r.BandwidthGbPerS,6:F1}");
            Console.WriteLine($"prompt {PromptLength} tokens, decode {DecodeSteps} tokens after it (context {PromptLength}–{PromptLength + DecodeSteps}), {Threads} threads each, batch 1; load average {load}");
            var results = new
            {
                benchmark = "generation-vs-llamacpp",
                date = DateTime.UtcNow.ToString("o"),
                load_average = load,
                threads = Threads,
                prompt_tokens = PromptLength,
                decode_tokens = DecodeSteps,
                context = $"{PromptLength}-{PromptLength + DecodeSteps}",
                rounds,
                model = "SmolLM2-135M shape (random weights), tied head",
                llamacpp = "LLamaSharp 0.30.0 (LLamaSharp.Backend.Cpu), F32 KV cache, flash attention off",
                rows,
            };
            var path = Path.Combine(GenerationBench.FindRepoRoot(), "bench", "results", "generation-vs-llamacpp.json");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
            Console.WriteLine($"wrote {path}");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    static Dictionary<string, string> Export(string work)
    {
        var dir = Path.Combine(work, "model");
        using (var model = (PretrainedModel)GenerationBench.CreateModel()) ModelSaver.Save(model, dir);
        WriteTokenizer(dir, ModelConfig.FromFolder(dir).VocabSize);
        var files = new Dictionary<string, string>();
        using var model2 = ModelLoader.Load(dir);
        foreach (var (name, type) in new[] { ("f32", GgufFileType.F32), ("f16", GgufFileType.F16), ("bf16", GgufFileType.BF16), ("q8_0", GgufFileType.Q8_0) })
        {
            files[name] = Path.Combine(work, $"model-{name}.gguf");
            GgufExporter.Export(model2, dir, files[name], new GgufExportOptions { FileType = type, Name = "bench" });
        }
        return files;
    }

    /// <summary>Pause before each side's measurement.</summary>
    static readonly TimeSpan QuietPause = TimeSpan.FromMilliseconds(500);

    /// <summary>Interleaved rounds: bandwidth, ours, llama.cpp; medians of each.</summary>
    static Row Compare(string ours, string oursFile, WeightPrecision precision, string llamaName, string llamaFile, int[] prompt, int rounds)
    {
        Console.WriteLine($"{ours} vs llama.cpp {llamaName} …");
        using var model = ModelLoader.LoadCausalLanguageModel(oursFile, new ModelLoadOptions { Weights = precision });
        using var llama = new LlamaRunner(llamaFile);
        var generator = new TextGenerator(model);
        var options = new GenerationOptions { StopTokenIds = [] };
        generator.Generate(prompt, options with { MaxNewTokens = 4 }); // warm-up (JIT, allocations)
        llama.Measure(prompt, 4);
        var samples = new List<(Measurement Ours, Measurement Llama, double Bandwidth)>();
        for (var round = 0; round < rounds; round++)
        {
            var bandwidth = MachineBench.MemoryReadBandwidth(1L << 29, repeats: 2);
            // Each side starts on quiet cores: the other side's threads (llama.cpp's poll, our team's spin, the
            // bandwidth probe's pool) stay busy for a while after their work and would be timed against it.
            Thread.Sleep(QuietPause);
            var oursM = MeasureOurs(generator, prompt, options);
            Thread.Sleep(QuietPause);
            var llamaM = llama.Measure(prompt, DecodeSteps);
            samples.Add((oursM, llamaM, bandwidth));
            Console.WriteLine($"  round {round + 1}: ours prefill {oursM.PrefillTokensPerSecond:F0} decode {oursM.DecodeTokensPerSecond:F1} | llama.cpp prefill {llamaM.PrefillTokensPerSecond:F0} decode {llamaM.DecodeTokensPerSecond:F1} tok/s | {bandwidth:F1} GB/s");
        }
        static double Median(IEnumerable<double> v) { var s = v.Order().ToList(); return s[s.Count / 2]; }
        var op = Median(samples.Select(s => s.Ours.PrefillTokensPerSecond));
        var lp = Median(samples.Select(s => s.Llama.PrefillTokensPerSecond));
        var od = Median(samples.Select(s => s.Ours.DecodeTokensPerSecond));
        var ld = Median(samples.Select(s => s.Llama.DecodeTokensPerSecond));
        var perRound = string.Join("; ", samples.Select(s => $"{s.Ours.PrefillTokensPerSecond / s.Llama.PrefillTokensPerSecond:F2}/{s.Ours.DecodeTokensPerSecond / s.Llama.DecodeTokensPerSecond:F2}"));
        return new Row(ours, llamaName, op, lp, op / lp, od, ld, od / ld, Median(samples.Select(s => s.Bandwidth)), perRound);
    }

    /// <summary>
    /// One streamed generation, timed as llama.cpp's: prefill = time to the first token, decode = the following tokens
    /// over the time between the first and the last (no subtraction of two noisy runs).
    /// </summary>
    static Measurement MeasureOurs(TextGenerator generator, int[] prompt, GenerationOptions options)
    {
        var sw = Stopwatch.StartNew();
        double first = 0, last = 0;
        var count = 0;
        foreach (var _ in generator.GenerateStreamingAsync(prompt, options with { MaxNewTokens = 1 + DecodeSteps }).ToBlockingEnumerable())
        {
            if (count++ == 0) first = sw.Elapsed.TotalSeconds;
            last = sw.Elapsed.TotalSeconds;
        }
        return new Measurement(prompt.Length / first, (count - 1) / Math.Max(1e-9, last - first));
    }

    /// <summary>llama.cpp through LLamaSharp: the prompt in one batch, then one token per decode call (greedy).</summary>
    sealed class LlamaRunner : IDisposable
    {
        readonly LLamaWeights _weights;
        readonly LLamaContext _context;

        public LlamaRunner(string path)
        {
            var p = new ModelParams(path)
            {
                ContextSize = 512, GpuLayerCount = 0, Threads = Threads, BatchThreads = Threads, BatchSize = 512, UBatchSize = 512,
                TypeK = GGMLType.GGML_TYPE_F32, TypeV = GGMLType.GGML_TYPE_F32, FlashAttention = false,
            };
            _weights = LLamaWeights.LoadFromFile(p);
            _context = _weights.CreateContext(p);
        }

        public Measurement Measure(int[] prompt, int steps)
        {
            var h = _context.NativeHandle;
            h.MemoryClear(true);
            var batch = new LLamaBatch();
            for (var i = 0; i < prompt.Length; i++) batch.Add(prompt[i], i, LLamaSeqId.Zero, i == prompt.Length - 1);
            var sw = Stopwatch.StartNew();
            Check(h.Decode(batch));
            var next = ArgMax(h.GetLogitsIth(prompt.Length - 1));
            var prefill = sw.Elapsed.TotalSeconds;
            sw.Restart();
            for (var s = 0; s < steps; s++)
            {
                batch.Clear();
                batch.Add(next, prompt.Length + s, LLamaSeqId.Zero, true);
                Check(h.Decode(batch));
                next = ArgMax(h.GetLogitsIth(0));
            }
            return new Measurement(prompt.Length / prefill, steps / sw.Elapsed.TotalSeconds);
        }

        static void Check(DecodeResult r)
        {
            if (r != DecodeResult.Ok) throw new InvalidOperationException($"llama.cpp decode failed: {r}");
        }

        static int ArgMax(ReadOnlySpan<float> v)
        {
            var best = 0;
            for (var i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
            return best;
        }

        public void Dispose()
        {
            _context.Dispose();
            _weights.Dispose();
        }
    }

    /// <summary>A byte-level BPE of exactly <paramref name="size"/> tokens (byte symbols, then merges of symbol pairs).</summary>
    static void WriteTokenizer(string dir, int size)
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range('¡', '¬' - '¡' + 1)).Concat(Enumerable.Range('®', 'ÿ' - '®' + 1)).ToHashSet();
        var extra = 256;
        var symbols = Enumerable.Range(0, 256).Select(b => ((char)(printable.Contains(b) ? b : extra++)).ToString()).ToList();
        var vocab = new JsonObject { ["<|endoftext|>"] = 0 };
        foreach (var s in symbols) vocab[s] = vocab.Count;
        var merges = new List<string>();
        for (var i = 0; i < symbols.Count && vocab.Count < size; i++)
            for (var j = 0; j < symbols.Count && vocab.Count < size; j++)
            {
                if (vocab.ContainsKey(symbols[i] + symbols[j])) continue;
                merges.Add($"{symbols[i]} {symbols[j]}");
                vocab[symbols[i] + symbols[j]] = vocab.Count;
            }
        File.WriteAllText(Path.Combine(dir, "vocab.json"), vocab.ToJsonString());
        File.WriteAllText(Path.Combine(dir, "merges.txt"), "#version: 0.2\n" + string.Join("\n", merges) + "\n");
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """{"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>"}""");
    }
}
