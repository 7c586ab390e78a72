using Microsoft.Extensions.Logging;

namespace RagTune.Server.OpenAi;

/// <summary>
/// The served models and their loaded state. Models given at start (<c>--model</c>, <c>--embed-model</c>) load in the
/// background right away (requests for them answer 503 until then, as does <c>/health</c>); models added later (by
/// fine-tuning jobs) load on first use.
/// </summary>
public sealed class ServedModelCatalog : IServedModelCatalog, IDisposable
{
    readonly ServerOptions _options;
    readonly ILogger _logger;
    readonly Lock _lock = new();
    readonly List<Entry> _entries = [];

    sealed class Entry(ServedModel model, bool atStartup, Lazy<Task<LoadedModel>> load)
    {
        public ServedModel Model { get; } = model;
        public bool AtStartup { get; } = atStartup;
        public Lazy<Task<LoadedModel>> Load { get; } = load;
    }

    /// <summary>Registers the start-up models and begins loading them.</summary>
    public ServedModelCatalog(ServerOptions options, ILogger<ServedModelCatalog> logger)
    {
        _options = options;
        _logger = logger;
        var folders = options.Models.Concat(options.EmbedModel is { } e ? [e] : []);
        foreach (var folder in folders)
        {
            var entry = NewEntry(IdOf(folder), folder, "ragtune", atStartup: true);
            var duplicate = _entries.FindIndex(x => x.Model.Id == entry.Model.Id);
            if (duplicate >= 0) _entries[duplicate] = entry; else _entries.Add(entry);
        }
        foreach (var entry in _entries) _ = entry.Load.Value;
    }

    /// <summary>
    /// A model's id: its folder name; for a hub download (<c>…/models--org--name/snapshots/&lt;rev&gt;</c>) the repo id
    /// <c>org/name</c>; for a built-in encoder's cache folder (<c>minilm-&lt;key&gt;</c>) its name (<c>minilm</c>).
    /// </summary>
    public static string IdOf(string folder)
    {
        var full = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        var name = Path.GetFileName(full);
        var parent = Path.GetDirectoryName(full);
        if (parent is not null && Path.GetFileName(parent) == "snapshots" && Path.GetFileName(Path.GetDirectoryName(parent)) is { } repo
            && repo.StartsWith("models--", StringComparison.Ordinal) && repo.Split("--") is [_, var org, var model])
            return $"{org}/{model}";
        if (File.Exists(Path.Combine(full, "ragtune-builtin.json")) && name.LastIndexOf('-') is > 0 and var dash
            && RagTune.Models.Onnx.BuiltInEncoder.Find(name[..dash]) is not null)
            return name[..dash];
        return name;
    }

    /// <inheritdoc/>
    public IReadOnlyList<ServedModel> List()
    {
        lock (_lock) return [.. _entries.Select(e => e.Model)];
    }

    /// <inheritdoc/>
    public void Add(string id, string folder, string? ownedBy = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var entry = NewEntry(id, folder, ownedBy ?? "ragtune", atStartup: false);
        Entry? replaced = null;
        lock (_lock)
        {
            var index = _entries.FindIndex(x => x.Model.Id == id);
            if (index >= 0) { replaced = _entries[index]; _entries[index] = entry; }
            else _entries.Add(entry);
        }
        if (replaced is { Load.IsValueCreated: true })
            replaced.Load.Value.ContinueWith(t => { if (t.IsCompletedSuccessfully) t.Result.Dispose(); }, TaskScheduler.Default);
    }

    /// <summary>
    /// The loaded model <paramref name="id"/>: 404 when no model has that id, 503 (with Retry-After) while a start-up
    /// model is still loading, 500 when loading failed. A model added later is loaded now (the request waits).
    /// </summary>
    public async Task<LoadedModel> GetAsync(string id, CancellationToken cancellationToken)
    {
        Entry? entry;
        lock (_lock) entry = _entries.Find(e => e.Model.Id == id);
        if (entry is null) throw OpenAiException.ModelNotFound(id);
        var load = entry.Load.Value;
        if (entry.AtStartup && !load.IsCompleted)
            throw new OpenAiException(503, $"The model '{id}' is still loading. HINT: retry when GET /health answers 200.", "server_error", "model", "model_loading")
            { RetryAfterSeconds = 2 };
        try
        {
            return await load.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new OpenAiException(500, $"The model '{id}' could not be loaded: {e.Message}", "server_error", "model", "model_load_failed");
        }
    }

    /// <summary>Start-up models not loaded yet, and the errors of those that failed.</summary>
    public (int Loading, IReadOnlyList<string> Failed) StartupState()
    {
        List<Entry> startup;
        lock (_lock) startup = [.. _entries.Where(e => e.AtStartup)];
        var loading = startup.Count(e => !e.Load.Value.IsCompleted);
        var failed = startup.Where(e => e.Load.Value.IsFaulted).Select(e => $"{e.Model.Id}: {e.Load.Value.Exception!.GetBaseException().Message}").ToList();
        return (loading, failed);
    }

    /// <summary>The models in memory now (for metrics).</summary>
    public IReadOnlyList<LoadedModel> Loaded()
    {
        lock (_lock)
            return [.. _entries.Where(e => e.Load.IsValueCreated && e.Load.Value.IsCompletedSuccessfully).Select(e => e.Load.Value.Result)];
    }

    Entry NewEntry(string id, string folder, string ownedBy, bool atStartup)
    {
        var model = new ServedModel(id, Path.GetFullPath(folder), ownedBy, DateTimeOffset.UtcNow);
        return new Entry(model, atStartup, new Lazy<Task<LoadedModel>>(() => Task.Run(() =>
        {
            _logger.LogInformation("Loading model {ModelId} from {Folder}", id, model.Folder);
            try
            {
                var loaded = ServedModelLoader.Load(id, model.Folder, _options);
                _logger.LogInformation("Model {ModelId} ready", id);
                return loaded;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Model {ModelId} failed to load", id);
                throw;
            }
        })));
    }

    /// <summary>Frees every loaded model.</summary>
    public void Dispose()
    {
        foreach (var model in Loaded()) model.Dispose();
    }
}
