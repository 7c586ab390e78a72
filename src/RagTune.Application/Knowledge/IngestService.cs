using RagTune.Retrieval.Chunking;
using RagTune.Retrieval.Ingestion;

namespace RagTune.Application;

/// <summary>Ingests files and folders into a knowledge base, incrementally (unchanged files are skipped by hash).</summary>
public static class IngestService
{
    /// <summary>
    /// Opens (or creates) the knowledge base, ingests <see cref="IngestRequest.Paths"/> and closes it. Chunks are embedded
    /// with <see cref="IngestRequest.EmbedModel"/>, else with the model the knowledge base already uses, so updates stay
    /// searchable densely. The embedder is disposed at the end. Files that cannot be read are listed in the summary.
    /// </summary>
    public static async Task<IngestResult> RunAsync(IngestRequest request, IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var kb = KnowledgeBases.OpenForWriting(request.KnowledgeBase);
        if (request.Index is { } kind) kb.SetIndexKind(kind);
        var recovered = kb.Reconciled is { WasClean: false } fix ? fix : null;
        string? embedModel;
        try { embedModel = IngestEmbeddingModel.Choose(request.EmbedModel, kb.EmbeddingModel, kb.GetFilePaths().Count == 0); }
        catch (ArgumentException e) { throw new ServiceException(e.Message, ServiceErrorKind.BadArguments, e); }
        using var embedder = embedModel is null ? null : ModelClients.OpenEmbedder(embedModel, request.EmbedOptions);
        var chunker = new StructuredChunker(request.Chunking, ModelClients.TokenCounter(embedModel));
        var options = new IngestOptions { Format = request.Format, Sync = request.Sync, Tags = request.Tags, BatchChunks = request.BatchChunks };
        var ingestor = new KnowledgeBaseIngestor(kb, options, chunker, embedder, embedModel);
        var summary = await ingestor.IngestAsync(request.Paths, progress, cancellationToken);
        return new IngestResult(summary, recovered);
    }
}
