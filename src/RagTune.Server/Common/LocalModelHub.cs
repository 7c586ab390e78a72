using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using RagTune.Models;
using RagTune.Models.Clients;
using RagTune.Models.Tokenization;
using RagTune.Retrieval.Chunking;
using RagTune.Server.OpenAi;

namespace RagTune.Server.Common;

/// <summary>
/// Model ids → folders (through <see cref="IServedModelCatalog"/> when the OpenAI feature registered it, else the
/// <c>--model</c> folders by name) and the local clients the knowledge-base feature asks with: one loaded
/// <see cref="LocalChatClient"/> per folder (it serialises its own calls), one embedder per folder, token counters.
/// </summary>
public sealed class LocalModelHub(ServerOptions options, IServiceProvider services) : IDisposable
{
    readonly ConcurrentDictionary<string, Lazy<IChatClient>> _chat = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, Lazy<IEmbeddingGenerator<string, Embedding<float>>>> _embedders = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, string> _added = new(StringComparer.Ordinal);

    /// <summary>Makes a produced model (a fine-tuning result) servable: added to the catalog, so it shows in <c>/v1/models</c>.</summary>
    public void Register(string id, string folder, string ownedBy)
    {
        if (services.GetService<IServedModelCatalog>() is { } catalog) catalog.Add(id, folder, ownedBy);
        else _added[id] = folder;
    }

    /// <summary>Served model ids and folders.</summary>
    public IReadOnlyList<(string Id, string Folder)> Models()
    {
        var catalog = services.GetService<IServedModelCatalog>();
        if (catalog is not null) return catalog.List().Select(m => (m.Id, m.Folder)).ToList();
        // Without the OpenAI feature (tests of this feature alone): the --model folders by name, then produced models.
        return options.Models.Where(Directory.Exists).Select(m => (Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(m))), Path.GetFullPath(m)))
            .Concat(_added.Select(a => (a.Key, a.Value))).ToList();
    }

    /// <summary>The folder of model <paramref name="id"/>, or a 404 naming the served ids.</summary>
    public string Folder(string? id, string param = "model")
    {
        if (string.IsNullOrWhiteSpace(id)) throw ApiError.BadRequest("A model id is required.", param, "missing_model");
        var models = Models();
        foreach (var (modelId, folder) in models)
            if (modelId == id) return folder;
        throw ApiError.NotFound($"The model '{id}' does not exist. Served models: {string.Join(", ", models.Select(m => m.Id))}.", param, "model_not_found");
    }

    /// <summary>The chat client of a model folder, loaded on first use.</summary>
    public IChatClient Chat(string folder)
    {
        var lazy = _chat.GetOrAdd(folder, f => new Lazy<IChatClient>(() => LocalClientFactory.CreateChatClient(f)));
        try { return lazy.Value; }
        catch (Exception e) when (e is ModelLoadException or TokenizerLoadException or FileNotFoundException or InvalidDataException)
        {
            _chat.TryRemove(folder, out _);
            throw ApiError.BadRequest($"The model in '{Path.GetFileName(folder)}' cannot be used for chat: {e.Message}", "model", "model_not_usable");
        }
    }

    /// <summary>The embedder of a model folder, loaded on first use.</summary>
    public IEmbeddingGenerator<string, Embedding<float>> Embedder(string folder) =>
        _embedders.GetOrAdd(folder, f => new Lazy<IEmbeddingGenerator<string, Embedding<float>>>(() => LocalClientFactory.CreateEmbeddingGenerator(f))).Value;

    /// <summary>The configured embedder for new ingests (<see cref="ServerOptions.EmbedModel"/> as a folder), or null.</summary>
    public (IEmbeddingGenerator<string, Embedding<float>> Generator, string Name)? IngestEmbedder() =>
        options.EmbedModel is { } m && Directory.Exists(m) ? (Embedder(Path.GetFullPath(m)), Path.GetFullPath(m)) : null;

    /// <summary>The model's tokenizer as a token counter, or the word estimate when the folder has none.</summary>
    public static ITokenCounter TokenCounter(string folder)
    {
        try { return new TokenizerTokenCounter(TokenizerLoader.FromFolder(folder)); }
        catch (Exception e) when (e is TokenizerLoadException or FileNotFoundException or InvalidDataException) { return new WordCountTokenEstimator(); }
    }

    /// <summary><paramref name="requested"/> capped by the checkpoint's position limit (as <c>ragtune ask</c> does).</summary>
    public static int ContextWindow(string folder, int requested)
    {
        var config = Path.Combine(folder, "config.json");
        if (!File.Exists(config)) return requested;
        using var json = JsonDocument.Parse(File.ReadAllText(config));
        foreach (var key in new[] { "max_position_embeddings", "n_positions", "n_ctx" })
            if (json.RootElement.TryGetProperty(key, out var v) && v.TryGetInt32(out var max) && max > 0) return Math.Min(requested, max);
        return requested;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var c in _chat.Values.Where(l => l.IsValueCreated)) c.Value.Dispose();
        foreach (var e in _embedders.Values.Where(l => l.IsValueCreated)) e.Value.Dispose();
    }
}
