using Microsoft.Extensions.AI;
using RagTune.Models.Generation;
using RagTune.Models.Templates;
using RagTune.Models.Tokenization;

namespace RagTune.Models.Clients;

/// <summary>
/// Loads a checkpoint folder and wraps it in the Microsoft.Extensions.AI client that fits: a decoder becomes an
/// <see cref="IChatClient"/> (<see cref="LocalChatClient"/>), an encoder an <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/>
/// (<see cref="LocalEmbeddingGenerator"/>). RAG, evaluation, the CLI and the server all get their models here.
/// </summary>
public static class LocalClientFactory
{
    /// <summary>The client for <paramref name="dir"/>: <see cref="LocalChatClient"/> or <see cref="LocalEmbeddingGenerator"/>.</summary>
    public static IDisposable Create(string dir, ModelLoadOptions? options = null)
    {
        var model = ModelLoader.Load(dir, options);
        try
        {
            return model switch
            {
                ICausalLanguageModel decoder => CreateChatClient(dir, decoder),
                IEncoderModel encoder => CreateEmbeddingGenerator(dir, encoder),
                _ => throw new ModelLoadException($"{dir}: {model.Architecture} is neither a decoder (chat) nor an encoder (embeddings)."),
            };
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>A chat client over the decoder in <paramref name="dir"/> (tokenizer and chat template from the same folder).</summary>
    public static LocalChatClient CreateChatClient(string dir, ModelLoadOptions? options = null)
    {
        var model = ModelLoader.LoadCausalLanguageModel(dir, options);
        try
        {
            return CreateChatClient(dir, model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// An embedding generator over the encoder in <paramref name="dir"/> (pooling from sentence-transformers files) that
    /// computes on <paramref name="threads"/> threads (null: libtorch's thread count, by default one per core).
    /// </summary>
    public static LocalEmbeddingGenerator CreateEmbeddingGenerator(string dir, ModelLoadOptions? options = null, int? threads = null)
    {
        var model = ModelLoader.LoadEncoder(dir, options);
        try
        {
            return CreateEmbeddingGenerator(dir, model, threads);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>A chat client over an already loaded decoder; it owns (and disposes) the model.</summary>
    public static LocalChatClient CreateChatClient(string dir, ICausalLanguageModel model)
    {
        var tokenizer = TokenizerLoader.FromFolder(dir);
        var template = ChatTemplate.FromFolder(dir) ?? throw new ModelLoadException(
            $"{dir}: no chat template (chat_template.jinja or 'chat_template' in tokenizer_config.json). " +
            "HINT: use an instruct checkpoint, or generate from a plain prompt without --chat.", dir);
        var defaults = GenerationConfig.FromFolder(dir);
        // Templates end an assistant turn with the tokenizer's EOS (e.g. <|im_end|>): stop there too.
        if (defaults.StopTokenIds is { } stops && tokenizer.EosTokenId is { } eos && !stops.Contains(eos))
            defaults = defaults with { StopTokenIds = [.. stops, eos] };
        return new LocalChatClient(new TextGenerator(model, tokenizer), m => template.Render(m, addGenerationPrompt: true),
            ModelId(dir), defaults, ownedModel: model);
    }

    /// <summary>
    /// An embedding generator over an already loaded encoder, computing on <paramref name="threads"/> threads (null:
    /// libtorch's thread count, by default one per core); it owns (and disposes) the model.
    /// </summary>
    public static LocalEmbeddingGenerator CreateEmbeddingGenerator(string dir, IEncoderModel model, int? threads = null) =>
        new(model, TokenizerLoader.FromFolder(dir), SentenceEmbeddingSettings.FromFolder(dir), ModelId(dir), ownsModel: true, threads: threads);

    /// <summary>The id reported by clients: <c>org/name</c> for a hub snapshot folder, else the folder name.</summary>
    internal static string ModelId(string dir)
    {
        var full = Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar);
        var parts = full.Split(Path.DirectorySeparatorChar);
        // …/models--org--name/snapshots/<commit>
        if (parts.Length >= 3 && parts[^2] == "snapshots" && parts[^3].StartsWith("models--", StringComparison.Ordinal))
            return parts[^3]["models--".Length..].Replace("--", "/");
        return parts[^1];
    }
}
