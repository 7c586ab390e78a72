using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using RagTune.Retrieval.Ingestion;
using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Store;

namespace RagTune.Bench;

/// <summary>
/// <c>retrieval [--chunks 100000] [--queries 200] [--dims 128] [--index auto|exact|hnsw]</c>: ingest throughput (MB/s, chunks/s) of a synthetic
/// BEIR corpus into a fresh knowledge base (SQLite + Lucene + embeddings from a hashing embedder, so the model's
/// cost is not what is measured), then query latency p50/p95 for bm25, dense (exact SIMD scan) and hybrid (RRF).
/// </summary>
public static class RetrievalBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        int Arg(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length
            ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        var chunks = Arg("--chunks", 100_000);
        var queryCount = Arg("--queries", 200);
        var dims = Arg("--dims", 128);
        var indexKind = Array.IndexOf(args, "--index") is var k and >= 0 && k + 1 < args.Length
            ? Enum.Parse<VectorIndexKind>(args[k + 1], ignoreCase: true) : VectorIndexKind.Auto;
        var root = Path.Combine(Path.GetTempPath(), $"ragtune-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        try
        {
            var random = new Random(42);
            var vocabulary = Enumerable.Range(0, 20_000).Select(i => Word(i, random)).ToArray();
            // Zipf-like word choice: natural-looking posting-list lengths for BM25.
            string Pick() => vocabulary[(int)(vocabulary.Length * Math.Pow(random.NextDouble(), 3))];
            var corpus = Path.Combine(root, "corpus.jsonl");
            using (var writer = new StreamWriter(corpus, false, new UTF8Encoding(false)))
                for (var d = 0; d < chunks; d++)
                    writer.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string>
                    {
                        ["_id"] = $"d{d}",
                        ["title"] = $"{Pick()} {Pick()}",
                        ["text"] = string.Join(' ', Enumerable.Range(0, 40 + random.Next(40)).Select(_ => Pick())) + ".",
                    }));
            var bytes = new FileInfo(corpus).Length;
            Console.WriteLine($"retrieval bench: {chunks:N0} documents (one chunk each), {bytes / 1e6:F1} MB, {dims}-dim hashing embedder, {Environment.ProcessorCount} cores");

            using var kb = KnowledgeBase.Open(Path.Combine(root, "kb"));
            kb.SetIndexKind(indexKind);
            var embedder = new HashingEmbedder(dims);
            var clock = Stopwatch.StartNew();
            var summary = await new KnowledgeBaseIngestor(kb, new IngestOptions { Format = "beir", BatchChunks = 2048, EmbeddingBatchSize = 256 }, embedder: embedder, embedderName: "hashing")
                .IngestAsync([corpus]);
            var seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ingest: {summary.ChunksWritten:N0} chunks in {seconds:F1} s = {bytes / 1e6 / seconds:F2} MB/s, {summary.ChunksWritten / seconds:F0} chunks/s"));

            clock.Restart();
            _ = kb.VectorIndex;
            Console.WriteLine($"dense index ({indexKind}: {kb.VectorIndex?.GetType().Name}) load: {clock.Elapsed.TotalSeconds:F1} s");
            var queries = Enumerable.Range(0, queryCount).Select(_ => string.Join(' ', Enumerable.Range(0, 3 + random.Next(3)).Select(_ => Pick()))).ToList();
            var bm25 = new LuceneBm25Retriever(kb);
            var dense = new DenseVectorRetriever(kb, embedder);
            foreach (var (name, retriever) in new (string, IChunkRetriever)[] { ("bm25", bm25), ("dense", dense), ("hybrid", new HybridRetriever(bm25, dense)) })
            {
                var options = new RetrievalOptions { TopK = 10 };
                foreach (var q in queries.Take(20)) await retriever.RetrieveAsync(q, options); // warm-up
                var latencies = new List<double>();
                foreach (var q in queries)
                {
                    var t = Stopwatch.GetTimestamp();
                    await retriever.RetrieveAsync(q, options);
                    latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                }
                latencies.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-7} top-10 over {chunks:N0} chunks: p50 {latencies[latencies.Count / 2]:F2} ms, p95 {latencies[(int)(latencies.Count * 0.95)]:F2} ms ({queryCount} queries)"));
            }
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }

    static string Word(int i, Random random)
    {
        var letters = "abcdefghijklmnopqrstuvwxyz";
        var length = 3 + random.Next(7);
        return string.Concat(Enumerable.Range(0, length).Select(_ => letters[random.Next(letters.Length)])) + (i % 10);
    }

    /// <summary>Feature hashing of words into ±1 buckets: cheap, deterministic, and similar texts get similar vectors.</summary>
    sealed class HashingEmbedder(int dims) : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var result = new GeneratedEmbeddings<Embedding<float>>();
            foreach (var text in values)
            {
                var v = new float[dims];
                foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var h = (uint)StringComparer.Ordinal.GetHashCode(word.ToLowerInvariant());
                    v[h % dims] += (h & 0x80000000) != 0 ? 1 : -1;
                }
                result.Add(new Embedding<float>(v));
            }
            return Task.FromResult(result);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() { }
    }
}
