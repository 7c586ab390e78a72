using Microsoft.Extensions.AI;
using RagTune.Models.Generation;
using RagTune.Models.Templates;
using RagTune.Models.Tokenization;

namespace RagTune.Server.OpenAi;

/// <summary>
/// A served model in memory: a decoder behind its <see cref="ContinuousBatcher"/> (chat and completions), or an encoder
/// behind an embedding generator (embeddings).
/// </summary>
public sealed class LoadedModel : IDisposable
{
    readonly IDisposable _owned;

    internal LoadedModel(string id, ITokenizer tokenizer, ContinuousBatcher batcher, ChatTemplate? template, GenerationOptions defaults, IDisposable owned)
    {
        (Id, Tokenizer, Batcher, Template, Defaults, _owned) = (id, tokenizer, batcher, template, defaults, owned);
    }

    internal LoadedModel(string id, IEmbeddingGenerator<string, Embedding<float>> embedder, ITokenizer? tokenizer)
    {
        (Id, Embedder, Tokenizer, _owned) = (id, embedder, tokenizer, embedder);
        Defaults = new();
    }

    /// <summary>The model's id in the API.</summary>
    public string Id { get; }

    /// <summary>The model's tokenizer.</summary>
    public ITokenizer? Tokenizer { get; }

    /// <summary>The decode scheduler of a decoder; null for an encoder.</summary>
    public ContinuousBatcher? Batcher { get; }

    /// <summary>The chat template of a decoder, or null (then only <c>/v1/completions</c> serves it).</summary>
    public ChatTemplate? Template { get; }

    /// <summary>Generation defaults from the folder's generation_config.json (used where a request says nothing).</summary>
    public GenerationOptions Defaults { get; }

    /// <summary>The embedding generator of an encoder; null for a decoder.</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? Embedder { get; }

    /// <summary>One embedding call at a time (the encoder is not shared between threads).</summary>
    internal SemaphoreSlim EmbedGate { get; } = new(1, 1);

    /// <summary>Stops the batcher (running requests fail) and frees the model.</summary>
    public void Dispose()
    {
        Batcher?.Dispose();
        _owned.Dispose();
        EmbedGate.Dispose();
    }
}
