using Microsoft.Extensions.AI;
using RagTune.Models;
using RagTune.Models.Clients;

namespace RagTune.Cli.Rag;

/// <summary>
/// Local checkpoints behind the Microsoft.Extensions.AI interfaces, from the engine's
/// <see cref="LocalClientFactory"/>: <see cref="LocalEmbeddingGenerator"/> (encoder, pooling and normalisation from
/// the folder) and <see cref="LocalChatClient"/> (decoder with its chat template). Load failures become user errors.
/// </summary>
internal static class LocalModels
{
    public static IEmbeddingGenerator<string, Embedding<float>> Embedder(string folder) =>
        Load(folder, () => LocalClientFactory.CreateEmbeddingGenerator(folder));

    public static IChatClient Chat(string folder, WeightPrecision weights = WeightPrecision.Fp32) =>
        Load(folder, () => LocalClientFactory.CreateChatClient(folder, new ModelLoadOptions { Weights = weights }));

    static T Load<T>(string folder, Func<T> load)
    {
        try { return load(); }
        catch (Exception e) when (e is ModelLoadException or FileNotFoundException or InvalidDataException or Models.Tokenization.TokenizerLoadException)
        {
            throw new UserFacingException($"Could not load the model in '{folder}': {e.Message}", ExitCode.BadInput, e);
        }
    }
}
