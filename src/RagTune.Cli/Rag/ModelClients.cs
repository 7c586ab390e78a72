using RagTune.Models;
using RagTune.Models.Onnx;
using System.ClientModel;
using Microsoft.Extensions.AI;
using OpenAI;
using RagTune.Models.Tokenization;
using RagTune.Retrieval.Chunking;

namespace RagTune.Cli.Rag;

/// <summary>
/// Turns a <c>--model</c> / <c>--embed-model</c> value into a Microsoft.Extensions.AI client: an
/// <c>http(s)://…</c> endpoint is an OpenAI-compatible server (model name after '#', e.g.
/// <c>http://localhost:8080/v1#nomic-embed</c>; key from <c>OPENAI_API_KEY</c>), a folder is a local checkpoint
/// run by the engine. Both sides of a knowledge base (ingest and search) call this with the same value.
/// </summary>
internal static class ModelClients
{
    public static bool IsEndpoint(string spec) =>
        spec.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || spec.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    static (Uri Endpoint, string Model) ParseEndpoint(string spec)
    {
        var hash = spec.IndexOf('#');
        var url = hash >= 0 ? spec[..hash] : spec;
        var model = hash >= 0 ? spec[(hash + 1)..] : "default";
        return (new Uri(url), model);
    }

    static ApiKeyCredential Key() => new(Environment.GetEnvironmentVariable("OPENAI_API_KEY") is { Length: > 0 } k ? k : "none");

    /// <summary>The embedder for <paramref name="spec"/>.</summary>
    public static IEmbeddingGenerator<string, Embedding<float>> Embedder(string spec)
    {
        if (IsEndpoint(spec))
        {
            var (endpoint, model) = ParseEndpoint(spec);
            return new OpenAI.Embeddings.EmbeddingClient(model, Key(), new OpenAIClientOptions { Endpoint = endpoint }).AsIEmbeddingGenerator();
        }
        var folder = ResolveEmbeddingModel(spec);
        RequireFolder(folder);
        return LocalModels.Embedder(folder);
    }

    /// <summary>A built-in encoder name (<c>minilm</c>, <c>arctic-xs</c>) → its converted folder in the user cache; other specs unchanged.</summary>
    public static string ResolveEmbeddingModel(string spec)
    {
        try
        {
            return EmbeddingModelLocator.Resolve(spec, new EmbeddingModelCacheOptions(Progress: new SyncProgress<string>(Console.Error.WriteLine)))
                ?? throw new UserFacingException("--embed-model none has no embedder.", ExitCode.BadArguments);
        }
        catch (ModelLoadException e)
        {
            throw new UserFacingException($"The built-in embedding model '{spec}' could not be prepared: {e.Message}", ExitCode.Failure, e);
        }
    }

    /// <summary>The chat client for <paramref name="spec"/> (a local model's weights held in <paramref name="weights"/>).</summary>
    public static IChatClient Chat(string spec, WeightPrecision weights = WeightPrecision.Fp32)
    {
        if (IsEndpoint(spec))
        {
            var (endpoint, model) = ParseEndpoint(spec);
            return new OpenAI.Chat.ChatClient(model, Key(), new OpenAIClientOptions { Endpoint = endpoint }).AsIChatClient();
        }
        RequireFolder(spec);
        return LocalModels.Chat(spec, weights);
    }

    /// <summary>A token counter for a model: its tokenizer when the folder has one, else the word estimate.</summary>
    public static ITokenCounter TokenCounter(string? spec)
    {
        if (spec is not null && Models.Onnx.BuiltInEncoder.Find(spec) is not null && !Directory.Exists(spec)) spec = ResolveEmbeddingModel(spec);
        if (spec is null || IsEndpoint(spec) || !Directory.Exists(spec)) return new WordCountTokenEstimator();
        try { return new TokenizerTokenCounter(TokenizerLoader.FromFolder(spec)); }
        catch (Exception e) when (e is TokenizerLoadException or FileNotFoundException or InvalidDataException)
        {
            return new WordCountTokenEstimator();
        }
    }

    static void RequireFolder(string spec)
    {
        if (!Directory.Exists(spec))
            throw new UserFacingException($"Model '{spec}' is neither a folder, a built-in embedder (minilm, arctic-xs) nor an http(s) endpoint. HINT: pass a Hugging Face checkpoint folder or e.g. http://localhost:8080/v1#model-name.", ExitCode.NotFound);
    }
}
