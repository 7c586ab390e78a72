using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using RagTune.Models.Clients;
using RagTune.Models.Onnx;
using RagTune.Models.Tokenization;
using RagTune.Retrieval.Ingestion;
using RagTune.Retrieval.Store;

namespace RagTune.Bench;

/// <summary>
/// <c>embeddings [--model minilm|arctic-xs] [--passages 2000] [--tokens 100] [--batch 32] [--threads 2] [--rounds 3] [--ingest 10000]</c>:
/// sentence-embedding throughput of our BERT (TorchSharp, the model imported from the ONNX file) and of ONNX Runtime
/// on that same ONNX file, on the same tokenized passages in the same length-sorted batches, pooled and normalised the
/// same way. Ours and ORT alternate every few batches within a round, so both see the same machine load; medians of
/// the rounds are reported with the load average.
/// Then ingest of <c>--ingest</c> passages into a fresh knowledge base with the default embedder (passages/s).
/// </summary>
public static class EmbeddingBench
{
    static readonly string[] Words =
    (
        "the of and to in is that for it as was with be by on not he this are or his from at which but have an they " +
        "one you were her all she there would their we him been has when who will more no if out so said what up its " +
        "about into than them can only other new some could time these two may then do first any my now such like our " +
        "over man me even most made after also did many before must through back years where much your way well down " +
        "should because each just those people how too little state good very make world still own see men work long " +
        "get here between both life being under never day same another know while last might us great old year off come " +
        "since against go came right used take three river valley engine pump seal harbour lighthouse keeper bread oven " +
        "village market tower bridge railway station council library museum festival winter summer spring harvest wheat"
    ).Split(' ');

    public static async Task<int> RunAsync(string[] args)
    {
        string Str(string name, string fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        int Arg(string name, int fallback) => int.Parse(Str(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        var name = Str("--model", "minilm");
        var (count, tokens, batch, threads, rounds, ingest) = (Arg("--passages", 2000), Arg("--tokens", 100), Arg("--batch", 32),
            Arg("--threads", 2), Arg("--rounds", 3), Arg("--ingest", 10_000));
        TorchSharp.torch.set_num_threads(threads); // this process only: the bench is the whole program

        var encoder = BuiltInEncoder.Find(name) ?? throw new ArgumentException($"unknown built-in encoder '{name}'");
        var clock = Stopwatch.StartNew();
        var folder = EmbeddingModelLocator.Materialize(encoder);
        Console.WriteLine($"{name}: cached folder ready in {clock.Elapsed.TotalSeconds:F2} s ({folder})");
        var onnx = AssemblyResourceReader.Read(encoder.LocateAssembly(), encoder.OnnxResource);
        var tokenizer = TokenizerLoader.FromFolder(folder);
        var passages = Passages(tokenizer, count, tokens, new Random(42));
        var ids = passages.Select(p => tokenizer.Encode(p, addSpecialTokens: true).ToArray()).ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count} passages, {ids.Average(i => i.Length):F1} tokens on average (min {ids.Min(i => i.Length)}, max {ids.Max(i => i.Length)}), batch {batch}, {threads} threads, {Environment.ProcessorCount} cores"));

        clock.Restart();
        using var ours = LocalClientFactory.CreateEmbeddingGenerator(folder, threads: threads);
        var oursLoad = clock.Elapsed.TotalSeconds;
        var mode = SentenceEmbeddingSettings.FromFolder(folder).Mode;
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        clock.Restart();
        using var session = new InferenceSession(onnx, sessionOptions);
        Console.WriteLine($"load: ours {oursLoad:F2} s (safetensors folder), ONNX Runtime {clock.Elapsed.TotalSeconds:F2} s (session)");

        // Warm-up (JIT, allocator, ORT graph) on one batch each, then alternating timed rounds.
        await ours.GenerateAsync(passages.Take(batch));
        OrtEmbed(session, ids.Take(batch).ToArray(), batch, mode);
        // Within a round the two alternate every few batches (who goes first alternates too), so a load change on this
        // shared machine hits both alike; the chunks follow the length-sorted order, so both see the batches of a
        // whole-corpus call.
        var sorted = Enumerable.Range(0, count).OrderBy(i => ids[i].Length).ToArray();
        var chunks = sorted.Chunk(batch * threads * 2).ToArray();
        var results = new List<Round>();
        for (var r = 0; r < rounds; r++)
        {
            var load = Load();
            var (oursTime, ortTime) = (TimeSpan.Zero, TimeSpan.Zero);
            var mine = new float[count][];
            var theirs = new float[count][];
            for (var c = 0; c < chunks.Length; c++)
            {
                var chunk = chunks[c];
                for (var side = 0; side < 2; side++)
                {
                    clock.Restart();
                    if ((side + c + r) % 2 == 0)
                    {
                        var embedded = await ours.GenerateAsync(chunk.Select(i => passages[i]));
                        oursTime += clock.Elapsed;
                        for (var j = 0; j < chunk.Length; j++) mine[chunk[j]] = embedded[j].Vector.ToArray();
                    }
                    else
                    {
                        var embedded = OrtEmbed(session, chunk.Select(i => ids[i]).ToArray(), batch, mode);
                        ortTime += clock.Elapsed;
                        for (var j = 0; j < chunk.Length; j++) theirs[chunk[j]] = embedded[j];
                    }
                }
            }
            var (oursRate, ortRate) = (count / oursTime.TotalSeconds, count / ortTime.TotalSeconds);
            var cosine = Enumerable.Range(0, count).Min(i => Dot(mine[i], theirs[i]));
            results.Add(new Round(oursRate, ortRate, oursRate / ortRate, load, Load(), cosine));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {r + 1}: ours {oursRate,7:F1} sent/s   ONNX Runtime {ortRate,7:F1} sent/s   ratio {oursRate / ortRate:F2}×   min cosine {cosine:F6}   load {load:F1}"));
        }
        var median = results.OrderBy(x => x.Ratio).ElementAt(results.Count / 2);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median: ours {Median(results.Select(x => x.Ours)):F1} sent/s, ONNX Runtime {Median(results.Select(x => x.Ort)):F1} sent/s, ratio {Median(results.Select(x => x.Ratio)):F2}× (load {median.LoadBefore:F1})"));

        double? ingestRate = null;
        if (ingest > 0) ingestRate = await IngestAsync(folder, name, ingest, tokenizer, threads);

        var resultsDir = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "results");
        Directory.CreateDirectory(resultsDir);
        File.WriteAllText(Path.Combine(resultsDir, "embeddings.json"), JsonSerializer.Serialize(new
        {
            model = name, passages = count, averageTokens = ids.Average(i => i.Length), batch, threads, rounds = results,
            medianOurs = Median(results.Select(x => x.Ours)), medianOrt = Median(results.Select(x => x.Ort)), medianRatio = Median(results.Select(x => x.Ratio)),
            ingestPassages = ingest, ingestPassagesPerSecond = ingestRate, date = DateTime.UtcNow,
        }, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    sealed record Round(double Ours, double Ort, double Ratio, double LoadBefore, double LoadAfter, double MinCosine);

    static async Task<double> IngestAsync(string folder, string name, int count, ITokenizer tokenizer, int threads)
    {
        var root = Path.Combine(Path.GetTempPath(), $"ragtune-bench-embed-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        try
        {
            var corpus = Path.Combine(root, "corpus.jsonl");
            var random = new Random(7);
            await using (var writer = new StreamWriter(corpus, false, new UTF8Encoding(false)))
                foreach (var (p, i) in Passages(tokenizer, count, 100, random).Select((p, i) => (p, i)))
                    await writer.WriteLineAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = $"p{i}", ["title"] = "", ["text"] = p }));
            using var kb = KnowledgeBase.Open(Path.Combine(root, "kb"));
            using var embedder = LocalClientFactory.CreateEmbeddingGenerator(folder, threads: threads);
            var load = Load();
            var clock = Stopwatch.StartNew();
            var summary = await new KnowledgeBaseIngestor(kb, new IngestOptions { Format = "beir" }, embedder: embedder, embedderName: name).IngestAsync([corpus]);
            var rate = count / clock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ingest with {name}: {count:N0} passages ({summary.ChunksWritten:N0} chunks) in {clock.Elapsed.TotalSeconds:F1} s = {rate:F1} passages/s (load {load:F1} → {Load():F1})"));
            return rate;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }

    /// <summary>Passages of about <paramref name="tokens"/> WordPiece tokens (specials included) of common English words.</summary>
    static List<string> Passages(ITokenizer tokenizer, int count, int tokens, Random random)
    {
        var list = new List<string>(count);
        for (var p = 0; p < count; p++)
        {
            var words = new List<string>();
            var target = tokens - 2 + random.Next(-10, 11);
            while (tokenizer.Encode(string.Join(' ', words), addSpecialTokens: false).Count < target)
                words.AddRange(Enumerable.Range(0, 8).Select(_ => Words[random.Next(Words.Length)]));
            list.Add(char.ToUpperInvariant(words[0][0]) + string.Join(' ', words)[1..] + ".");
        }
        return list;
    }

    /// <summary>ONNX Runtime embeddings in the same length-sorted batches as LocalEmbeddingGenerator, pooled and normalised.</summary>
    static float[][] OrtEmbed(InferenceSession session, int[][] ids, int batchSize, Models.PoolingMode mode)
    {
        var vectors = new float[ids.Length][];
        var order = Enumerable.Range(0, ids.Length).OrderBy(i => ids[i].Length).ToArray();
        using var runOptions = new RunOptions();
        for (var start = 0; start < order.Length; start += batchSize)
        {
            var batch = order.Skip(start).Take(batchSize).ToArray();
            var (b, t) = (batch.Length, batch.Max(i => ids[i].Length));
            var (input, mask, types) = (new long[b * t], new long[b * t], new long[b * t]);
            for (var r = 0; r < b; r++)
                for (var j = 0; j < ids[batch[r]].Length; j++) (input[r * t + j], mask[r * t + j]) = (ids[batch[r]][j], 1);
            using var a = OrtValue.CreateTensorValueFromMemory(input, [b, t]);
            using var m = OrtValue.CreateTensorValueFromMemory(mask, [b, t]);
            using var y = OrtValue.CreateTensorValueFromMemory(types, [b, t]);
            using var outputs = session.Run(runOptions, ["input_ids", "attention_mask", "token_type_ids"], [a, m, y], ["last_hidden_state"]);
            var hidden = outputs[0].GetTensorDataAsSpan<float>();
            var h = hidden.Length / (b * t);
            for (var r = 0; r < b; r++)
            {
                var v = new float[h];
                var n = ids[batch[r]].Length;
                if (mode == Models.PoolingMode.Cls) hidden.Slice(r * t * h, h).CopyTo(v);
                else
                {
                    for (var j = 0; j < n; j++) System.Numerics.Tensors.TensorPrimitives.Add(v, hidden.Slice((r * t + j) * h, h), v);
                    System.Numerics.Tensors.TensorPrimitives.Divide(v, n, v);
                }
                System.Numerics.Tensors.TensorPrimitives.Divide(v, System.Numerics.Tensors.TensorPrimitives.Norm(v), v);
                vectors[batch[r]] = v;
            }
        }
        return vectors;
    }

    static double Dot(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    static double Load() => double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
}
