using System.Diagnostics;
using Microsoft.Extensions.AI;
using RagTune.Retrieval.Chunking;
using RagTune.Retrieval.Ingestion;
using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Store;

namespace RagTune.Application.Compare;

/// <summary>
/// The knowledge side of a comparison: the documents staged into one corpus folder (so an update can replace files
/// by name), ingested into a knowledge base with the product's ingestor and chunker, and the configured retriever
/// (Lucene BM25, dense, or hybrid RRF) over it.
/// </summary>
internal sealed class CompareKnowledge : IDisposable
{
    readonly IEmbeddingGenerator<string, Embedding<float>>? _embedder;

    public KnowledgeBase Store { get; }
    public string CorpusDir { get; }
    public IChunkRetriever Retriever { get; }
    public double LastIngestSeconds { get; private set; }

    CompareKnowledge(KnowledgeBase store, string corpusDir, IChunkRetriever retriever, IEmbeddingGenerator<string, Embedding<float>>? embedder)
    {
        (Store, CorpusDir, Retriever, _embedder) = (store, corpusDir, retriever, embedder);
    }

    /// <summary>Copies <paramref name="documents"/> into <paramref name="corpusDir"/> (a folder's files keep their relative paths).</summary>
    public static void Stage(IEnumerable<string> documents, string corpusDir)
    {
        Directory.CreateDirectory(corpusDir);
        foreach (var source in documents)
        {
            if (File.Exists(source)) { CopyIfChanged(source, Path.Combine(corpusDir, Path.GetFileName(source))); continue; }
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var target = Path.Combine(corpusDir, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                CopyIfChanged(file, target);
            }
        }
    }

    // Unchanged bytes keep the file as it is, so re-ingest skips it by hash.
    static void CopyIfChanged(string from, string to)
    {
        if (File.Exists(to) && File.ReadAllBytes(to).AsSpan().SequenceEqual(File.ReadAllBytes(from))) return;
        File.Copy(from, to, overwrite: true);
    }

    /// <summary>Opens (creating) the knowledge base in <paramref name="kbDir"/> and ingests <paramref name="corpusDir"/>.</summary>
    public static async Task<CompareKnowledge> OpenAsync(string kbDir, string corpusDir, CompareConfig config, string chatModel, CancellationToken ct)
    {
        // Ingest is incremental by file hash, so chunks made with other settings would survive: start over instead.
        var settings = $"{config.Retrieval.ChunkTokens}|{config.Retrieval.EmbedModel}|{chatModel}";
        var settingsFile = kbDir.TrimEnd(Path.DirectorySeparatorChar) + ".settings";
        if (Directory.Exists(kbDir) && (!File.Exists(settingsFile) || File.ReadAllText(settingsFile) != settings)) Directory.Delete(kbDir, recursive: true);
        Directory.CreateDirectory(Path.GetDirectoryName(settingsFile)!);
        File.WriteAllText(settingsFile, settings);
        var store = KnowledgeBase.Open(kbDir);
        try
        {
            var r = config.Retrieval;
            var embedder = r.EmbedModel is { } e ? ModelEndpoint.Embedder(config.Resolve(e)) : null;
            ITokenCounter counter = r.EmbedModel is { } em && !CompareConfig.IsEndpoint(em) ? ModelEndpoint.TokenCounter(config.Resolve(em)) : ModelEndpoint.TokenCounter(chatModel);
            var knowledge = new CompareKnowledge(store, corpusDir, OpenRetriever(store, r.Mode, embedder), embedder);
            await knowledge.IngestAsync(config, counter, ct).ConfigureAwait(false);
            return knowledge;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    static IChunkRetriever OpenRetriever(KnowledgeBase kb, string mode, IEmbeddingGenerator<string, Embedding<float>>? embedder)
    {
        var bm25 = new LuceneBm25Retriever(kb);
        if (mode == "bm25" || embedder is null) return bm25;
        var dense = new DenseVectorRetriever(kb, embedder);
        return mode == "dense" ? dense : new HybridRetriever(bm25, dense);
    }

    ITokenCounter? _counter;

    async Task IngestAsync(CompareConfig config, ITokenCounter counter, CancellationToken ct)
    {
        _counter = counter;
        var chunker = new StructuredChunker(new ChunkingOptions { MaxTokens = config.Retrieval.ChunkTokens, OverlapTokens = Math.Min(32, config.Retrieval.ChunkTokens / 8) }, counter);
        var ingestor = new KnowledgeBaseIngestor(Store, new IngestOptions { Sync = true }, chunker, _embedder, config.Retrieval.EmbedModel);
        var watch = Stopwatch.StartNew();
        var summary = await ingestor.IngestAsync([CorpusDir], cancellationToken: ct).ConfigureAwait(false);
        LastIngestSeconds = watch.Elapsed.TotalSeconds;
        if (summary.Errors.Count > 0)
            throw new CompareConfigException($"documents: {summary.Errors.Count} file(s) could not be ingested: {string.Join("; ", summary.Errors.Select(x => x.ToString()))}");
    }

    /// <summary>Re-ingests the corpus folder (changed files only, by hash); returns the seconds it took.</summary>
    public async Task<double> ReingestAsync(CompareConfig config, CancellationToken ct)
    {
        await IngestAsync(config, _counter!, ct).ConfigureAwait(false);
        return LastIngestSeconds;
    }

    /// <summary>Every chunk of the knowledge base, in a stable order (document id, ordinal).</summary>
    public IReadOnlyList<StoredChunk> AllChunks() =>
        Store.GetFilePaths().Order(StringComparer.Ordinal)
            .SelectMany(p => Store.GetDocumentHashes(p).Keys.Order(StringComparer.Ordinal))
            .SelectMany(d => Store.GetDocumentChunks(d).OrderBy(c => c.Ordinal)).ToList();

    /// <summary>Every document's full text, in a stable order.</summary>
    public IReadOnlyList<(string Id, string Text)> AllDocuments() =>
        Store.GetFilePaths().Order(StringComparer.Ordinal)
            .SelectMany(p => Store.GetDocumentHashes(p).Keys.Order(StringComparer.Ordinal))
            .Select(d => (d, Store.GetDocumentText(d) ?? "")).Where(d => d.Item2.Length > 0).ToList();

    /// <summary>Bytes of the knowledge base folder on disk.</summary>
    public long SizeOnDisk() => Directory.EnumerateFiles(Store.Folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

    public void Dispose()
    {
        Store.Dispose();
        (_embedder as IDisposable)?.Dispose();
    }
}
