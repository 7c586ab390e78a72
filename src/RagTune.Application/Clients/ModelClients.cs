using System.ClientModel;
using Microsoft.Extensions.AI;
using OpenAI;
using RagTune.Models;
using RagTune.Models.Architectures.Llama;
using RagTune.Models.Gguf;
using RagTune.Models.Clients;
using RagTune.Models.Hub;
using RagTune.Models.Kernels;
using RagTune.Models.Onnx;
using RagTune.Models.Tokenization;
using RagTune.Retrieval.Chunking;
using RagTune.Training.Lora;

namespace RagTune.Application;

/// <summary>
/// Turns a model spec into a Microsoft.Extensions.AI client. A spec is a local Hugging Face folder (a full checkpoint
/// or a LoRA adapter folder, run by the engine), an OpenAI-compatible endpoint <c>http(s)://host/v1#model-name</c>,
/// or — through <see cref="ResolveFolderAsync"/> — a hub repo id <c>org/name</c>. Load failures become
/// <see cref="ServiceException"/>s. The caller owns (and disposes) what it gets.
/// </summary>
public static class ModelClients
{
    /// <summary>True for an <c>http://</c> or <c>https://</c> spec.</summary>
    public static bool IsEndpoint(string spec) =>
        spec.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || spec.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The chat client for a local folder or an endpoint.</summary>
    /// <exception cref="ServiceException">The folder does not exist or holds no loadable decoder with a chat template.</exception>
    public static IChatClient OpenChat(string spec, ModelClientOptions? options = null)
    {
        options ??= new ModelClientOptions();
        if (IsEndpoint(spec))
        {
            var (endpoint, model) = ParseEndpoint(spec);
            return new OpenAI.Chat.ChatClient(model, Key(options), new OpenAIClientOptions { Endpoint = endpoint }).AsIChatClient();
        }
        RequireFolder(spec);
        return LoadErrors.Guard(spec, () =>
        {
            var model = LoadCausalLanguageModel(spec, options);
            try { return LocalClientFactory.CreateChatClient(spec, model); }
            catch { model.Dispose(); throw; }
        });
    }

    /// <summary>The embedder for a local encoder folder or an endpoint.</summary>
    /// <exception cref="ServiceException">The folder does not exist or holds no loadable encoder.</exception>
    public static IEmbeddingGenerator<string, Embedding<float>> OpenEmbedder(string spec, ModelClientOptions? options = null)
    {
        options ??= new ModelClientOptions();
        if (IsEndpoint(spec))
        {
            var (endpoint, model) = ParseEndpoint(spec);
            return new OpenAI.Embeddings.EmbeddingClient(model, Key(options), new OpenAIClientOptions { Endpoint = endpoint }).AsIEmbeddingGenerator();
        }
        var folder = ResolveEmbeddingModel(spec, options);
        RequireFolder(folder);
        return LoadErrors.Guard(folder, () => LocalClientFactory.CreateEmbeddingGenerator(folder, new ModelLoadOptions { Weights = options.Weights }));
    }

    /// <summary>
    /// A built-in encoder name (<c>minilm</c>, <c>arctic-xs</c>) → its converted folder in the user cache (converted once);
    /// a folder or endpoint unchanged.
    /// </summary>
    /// <exception cref="ServiceException"><c>none</c> (no embedder), or the built-in model could not be prepared.</exception>
    public static string ResolveEmbeddingModel(string spec, ModelClientOptions? options = null)
    {
        try
        {
            return EmbeddingModelLocator.Resolve(spec, options?.EmbeddingCache)
                ?? throw new ServiceException("--embed-model none has no embedder.", ServiceErrorKind.BadInput);
        }
        catch (ModelLoadException e)
        {
            throw new ServiceException($"The built-in embedding model '{spec}' could not be prepared: {e.Message}", ServiceErrorKind.Failure, e);
        }
    }

    /// <summary>
    /// A local causal language model (full checkpoint or LoRA adapter folder) with the precision and decode kernel of
    /// <paramref name="options"/>. The caller owns the model.
    /// </summary>
    public static ICausalLanguageModel LoadCausalLanguageModel(string dir, ModelClientOptions? options = null)
    {
        options ??= new ModelClientOptions();
        RequireFolder(dir);
        return LoadErrors.Guard(dir, () =>
        {
            var model = AdapterFolder.LoadCausalLanguageModel(dir);
            try
            {
                ReducedPrecision.Apply(model, options.Weights);
                if (model is LlamaForCausalLM llama) llama.UseDecodeKernel = options.DecodeKernel;
                return model;
            }
            catch { model.Dispose(); throw; }
        });
    }

    /// <summary>The tokenizer of a local folder.</summary>
    public static ITokenizer LoadTokenizer(string dir) => LoadErrors.Guard(dir, () => TokenizerLoader.FromFolder(dir));

    /// <summary>
    /// A local folder for <paramref name="spec"/>: the folder itself, or a hub repo id downloaded into the hub cache
    /// (cache only when offline). <paramref name="progress"/> hears about a download before it starts.
    /// </summary>
    public static async Task<string> ResolveFolderAsync(string spec, ModelClientOptions? options = null, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (Directory.Exists(spec) || GgufModelLoader.IsGgufFile(spec)) return spec;
        if (!HubDownloader.LooksLikeRepoId(spec))
            throw new ServiceException($"--model '{spec}' is neither a folder, a GGUF file nor a hub repo id (org/name).", ServiceErrorKind.NotFound);
        options ??= new ModelClientOptions();
        var hubOptions = options.Hub ?? HubOptions.FromEnvironment();
        hubOptions = hubOptions with { Offline = hubOptions.Offline || options.Offline, AllowPatterns = hubOptions.AllowPatterns ?? HubOptions.ModelFilePatterns };
        using var hub = new HubDownloader(hubOptions);
        try
        {
            if (!hubOptions.Offline) progress?.Report($"[fetching {spec}@{options.Revision} from {hubOptions.Endpoint} into {hubOptions.CacheDirectory}]");
            return await hub.DownloadAsync(spec, options.Revision, cancellationToken);
        }
        catch (HubException e)
        {
            throw new ServiceException(e.Message, ServiceErrorKind.NotFound, e);
        }
        catch (HttpRequestException e)
        {
            throw new ServiceException($"Could not download '{spec}': {e.Message}", ServiceErrorKind.NotFound, e);
        }
    }

    /// <summary>A token counter for a model: its tokenizer when the spec is a folder with one, else the word estimate.</summary>
    public static ITokenCounter TokenCounter(string? spec)
    {
        if (spec is not null && BuiltInEncoder.Find(spec) is not null && !Directory.Exists(spec)) spec = ResolveEmbeddingModel(spec);
        if (spec is null || IsEndpoint(spec) || !(Directory.Exists(spec) || GgufModelLoader.IsGgufFile(spec))) return new WordCountTokenEstimator();
        try { return new TokenizerTokenCounter(TokenizerLoader.FromFolder(spec)); }
        catch (Exception e) when (e is TokenizerLoadException or FileNotFoundException or InvalidDataException)
        {
            return new WordCountTokenEstimator();
        }
    }

    /// <summary>
    /// The context window (positions) of a local model as the engine reads its config (<c>max_position_embeddings</c>,
    /// GPT-2's <c>n_positions</c>, an adapter's base model), or null for an endpoint or a folder without config.
    /// </summary>
    public static int? ContextWindow(string spec)
    {
        if (IsEndpoint(spec) || !Directory.Exists(spec)) return null;
        var dir = AdapterFolder.IsAdapterOnly(spec) ? AdapterFolder.BaseModelDir(spec) : spec;
        if (!File.Exists(Path.Combine(dir, "config.json"))) return null;
        return LoadErrors.Guard(dir, () => ModelConfig.FromFolder(dir).MaxPositionEmbeddings);
    }

    static (Uri Endpoint, string Model) ParseEndpoint(string spec)
    {
        var hash = spec.IndexOf('#');
        var url = hash >= 0 ? spec[..hash] : spec;
        var model = hash >= 0 ? spec[(hash + 1)..] : "default";
        return (new Uri(url), model);
    }

    static ApiKeyCredential Key(ModelClientOptions options) => new(options.ApiKey is { Length: > 0 } k ? k : "none");

    static void RequireFolder(string spec)
    {
        if (!Directory.Exists(spec) && !GgufModelLoader.IsGgufFile(spec))
            throw new ServiceException($"Model '{spec}' is neither a folder, a GGUF file, a built-in embedder (minilm, arctic-xs) nor an http(s) endpoint. HINT: pass a Hugging Face checkpoint folder or e.g. http://localhost:8080/v1#model-name.",
                ServiceErrorKind.NotFound);
    }
}
