using System.ClientModel;
using Microsoft.Extensions.AI;
using OpenAI;
using RagTune.Models;
using RagTune.Models.Clients;
using RagTune.Models.Tokenization;
using RagTune.Retrieval.Chunking;

namespace RagTune.Application.Compare;

/// <summary>
/// A model value of the config as Microsoft.Extensions.AI clients: a folder is a local checkpoint (the engine's
/// <see cref="LocalClientFactory"/>), <c>http(s)://host:port/v1#model-id</c> an OpenAI-compatible server through the
/// OpenAI .NET client (key from <c>OPENAI_API_KEY</c>, else none).
/// </summary>
internal static class ModelEndpoint
{
    static (Uri Endpoint, string Model) Parse(string spec)
    {
        var hash = spec.IndexOf('#');
        return (new Uri(hash >= 0 ? spec[..hash] : spec), hash >= 0 ? spec[(hash + 1)..] : "default");
    }

    static ApiKeyCredential Key() => new(Environment.GetEnvironmentVariable("OPENAI_API_KEY") is { Length: > 0 } k ? k : "none");

    public static IChatClient Chat(string spec)
    {
        if (!CompareConfig.IsEndpoint(spec)) return LocalClientFactory.CreateChatClient(spec);
        var (endpoint, model) = Parse(spec);
        return new OpenAI.Chat.ChatClient(model, Key(), new OpenAIClientOptions { Endpoint = endpoint }).AsIChatClient();
    }

    public static IEmbeddingGenerator<string, Embedding<float>> Embedder(string spec)
    {
        if (!CompareConfig.IsEndpoint(spec)) return LocalClientFactory.CreateEmbeddingGenerator(spec);
        var (endpoint, model) = Parse(spec);
        return new OpenAI.Embeddings.EmbeddingClient(model, Key(), new OpenAIClientOptions { Endpoint = endpoint }).AsIEmbeddingGenerator();
    }

    /// <summary>The model's tokenizer as a token counter, or the word estimate for an endpoint.</summary>
    public static ITokenCounter TokenCounter(string spec) =>
        CompareConfig.IsEndpoint(spec) ? new WordCountTokenEstimator() : new TokenizerTokenCounter(TokenizerLoader.FromFolder(spec));

    /// <summary>The requested window capped by a local checkpoint's maximum positions.</summary>
    public static int ContextWindow(string spec, int requested)
    {
        if (CompareConfig.IsEndpoint(spec)) return requested;
        var config = ModelConfig.FromFolder(spec);
        foreach (var key in new[] { "max_position_embeddings", "n_positions", "n_ctx" })
            if (config.GetInt(key) is { } max && max > 0) return Math.Min(requested, max);
        return requested;
    }
}
