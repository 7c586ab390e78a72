using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using RagTune.Retrieval.Ingestion;
using RagTune.Retrieval.Store;
using RagTune.Server.Common;

namespace RagTune.Server.KnowledgeBases;

/// <summary>
/// Uploads and ingests documents: checks each file's name, type and size, stores it in the knowledge base's files
/// folder, and runs <see cref="KnowledgeBaseIngestor"/> over that folder with sync in the background, reporting
/// progress on an <see cref="IngestRun"/>. Deleting a document removes its file and runs the same sync.
/// </summary>
public sealed class KnowledgeBaseIngestService(KnowledgeBaseRegistry registry, LocalModelHub models, ServerOptions options, ILogger<KnowledgeBaseIngestService> log)
{
    /// <summary>Extensions the ingestor reads (its readers decide the format by extension).</summary>
    public static readonly IReadOnlySet<string> AllowedExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        { ".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".json", ".jsonl", ".csv" };

    readonly ConcurrentDictionary<string, IngestRun> _runs = new(StringComparer.Ordinal);

    /// <summary>Stores the uploaded files (all checked before any is written) and starts an ingest.</summary>
    public async Task<IngestRun> UploadAsync(string name, IFormFileCollection files, CancellationToken cancellationToken)
    {
        var kb = registry.Get(name);
        if (files.Count == 0) throw ApiError.BadRequest("No file in the upload: send multipart/form-data with one or more 'files' parts.", "files", "missing_file");
        foreach (var file in files)
        {
            SafeNames.RequireFileName(file.FileName, "files");
            var ext = Path.GetExtension(file.FileName);
            if (!AllowedExtensions.Contains(ext))
                throw new ApiError(StatusCodes.Status415UnsupportedMediaType, $"'{file.FileName}': type '{ext}' is not supported; expected one of {string.Join(", ", AllowedExtensions.Order())}.", "files", "unsupported_file_type");
            if (file.Length > options.MaxUploadBytes)
                throw ApiError.TooLarge($"'{file.FileName}' has {file.Length:N0} bytes, over the limit of {options.MaxUploadBytes:N0}.", "files");
            if (file.Length == 0) throw ApiError.BadRequest($"'{file.FileName}' is empty.", "files", "empty_file");
        }
        Directory.CreateDirectory(kb.FilesFolder);
        foreach (var file in files)
        {
            var target = SafeNames.Inside(kb.FilesFolder, file.FileName);
            var temp = target + $".{Guid.NewGuid():N}.part";
            await using (var stream = new FileStream(temp, FileMode.CreateNew))
                await file.CopyToAsync(stream, cancellationToken);
            File.Move(temp, target, overwrite: true);
        }
        return Start(kb, files.Select(f => f.FileName).ToList());
    }

    /// <summary>Deletes an uploaded file and starts the ingest that removes its documents.</summary>
    public IngestRun DeleteFile(string name, string? fileName)
    {
        var kb = registry.Get(name);
        SafeNames.RequireFileName(fileName, "file");
        var path = SafeNames.Inside(kb.FilesFolder, fileName!);
        if (!File.Exists(path)) throw ApiError.NotFound($"The knowledge base '{name}' has no uploaded file '{fileName}'.", "file", "file_not_found");
        File.Delete(path);
        return Start(kb, [fileName!]);
    }

    /// <summary>The ingest run <paramref name="id"/> of <paramref name="name"/>, or a 404.</summary>
    public IngestRun Get(string name, string id) =>
        _runs.TryGetValue(id, out var run) && run.KnowledgeBase == name ? run
            : throw ApiError.NotFound($"No ingest '{id}' for knowledge base '{name}'.", "id", "ingest_not_found");

    IngestRun Start(KnowledgeBaseInfo kb, IReadOnlyList<string> files)
    {
        var run = new IngestRun { Id = $"ingest-{Guid.NewGuid():N}"[..19], KnowledgeBase = kb.Name, Files = files };
        _runs[run.Id] = run;
        _ = Task.Run(() => RunAsync(kb, run));
        return run;
    }

    async Task RunAsync(KnowledgeBaseInfo kb, IngestRun run)
    {
        var gate = registry.WriterGate(kb.Name);
        await gate.WaitAsync();
        var started = DateTime.UtcNow;
        try
        {
            lock (run) run.Status = "running";
            using var store = KnowledgeBase.Open(kb.StoreFolder);
            var embedder = models.IngestEmbedder();
            var ingestor = new KnowledgeBaseIngestor(store, new IngestOptions { Sync = true, MaxFileBytes = options.MaxUploadBytes },
                embedder: embedder?.Generator, embedderName: embedder?.Name);
            var progress = new InlineProgress<IngestProgress>(p =>
            {
                lock (run)
                {
                    (run.FilesDone, run.FilesTotal, run.BytesDone, run.BytesTotal, run.Chunks) = (p.FilesDone, p.FilesTotal, p.BytesDone, p.BytesTotal, p.Chunks);
                    run.ElapsedSeconds = p.Elapsed.TotalSeconds;
                }
            });
            Directory.CreateDirectory(kb.FilesFolder);
            var summary = await ingestor.IngestAsync([kb.FilesFolder], progress);
            lock (run)
            {
                run.DocumentsAdded = summary.DocumentsAdded;
                run.DocumentsUpdated = summary.DocumentsUpdated;
                run.DocumentsDeleted = summary.DocumentsDeleted;
                run.Errors.AddRange(summary.Errors.Select(e => $"{Path.GetFileName(e.Path)}: {e.Reason}"));
                run.Status = "succeeded";
            }
        }
        catch (Exception e)
        {
            log.LogError(e, "Ingest {Id} into {KnowledgeBase} failed", run.Id, kb.Name);
            lock (run) { run.Errors.Add(e.Message); run.Status = "failed"; }
        }
        finally
        {
            lock (run) run.ElapsedSeconds = (DateTime.UtcNow - started).TotalSeconds;
            gate.Release();
        }
    }
}
