using RagTune.Models;
using RagTune.Models.Clients;
using RagTune.Models.Generation;
using RagTune.Models.Templates;
using RagTune.Models.Tokenization;

namespace RagTune.Server.OpenAi;

/// <summary>
/// Turns a model folder into a <see cref="LoadedModel"/>. The one place the server calls the engine's loaders
/// (so it can be rewired onto the application layer's model services without touching the endpoints).
/// </summary>
public static class ServedModelLoader
{
    /// <summary>Loads <paramref name="folder"/>: a decoder gets a continuous batcher, an encoder an embedding generator.</summary>
    public static LoadedModel Load(string id, string folder, ServerOptions options)
    {
        if (!Directory.Exists(folder)) throw new ModelLoadException($"{folder}: the model folder does not exist.", folder);
        var model = ModelLoader.Load(folder);
        try
        {
            switch (model)
            {
                case ICausalLanguageModel decoder:
                {
                    var tokenizer = TokenizerLoader.FromFolder(folder);
                    var defaults = GenerationConfig.FromFolder(folder);
                    // Chat templates end an assistant turn with the tokenizer's EOS (e.g. <|im_end|>): stop there too.
                    if (defaults.StopTokenIds is { } stops && tokenizer.EosTokenId is { } eos && !stops.Contains(eos))
                        defaults = defaults with { StopTokenIds = [.. stops, eos] };
                    var batcher = new ContinuousBatcher(decoder, tokenizer, new ContinuousBatcherOptions
                    {
                        MaxBatch = options.MaxBatch, QueueLimit = options.QueueLimit, ContextLength = options.ContextLength,
                    });
                    return new LoadedModel(id, tokenizer, batcher, ChatTemplate.FromFolder(folder), defaults, decoder);
                }
                case IEncoderModel encoder:
                {
                    var generator = LocalClientFactory.CreateEmbeddingGenerator(folder, encoder);
                    return new LoadedModel(id, generator, TokenizerLoader.FromFolder(folder));
                }
                default:
                    throw new ModelLoadException($"{folder}: {model.Architecture} is neither a decoder (chat, completions) nor an encoder (embeddings).", folder);
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
