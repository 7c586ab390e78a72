using Microsoft.Extensions.AI;

namespace RagTune.Cli.Rag;

/// <summary>
/// Local checkpoints behind the Microsoft.Extensions.AI interfaces: the engine's <c>LocalEmbeddingGenerator</c>
/// (encoder + pooling + normalisation) and <c>LocalChatClient</c> (decoder + chat template). Kept in one place so
/// retrieval code never depends on the engine's concrete types.
/// </summary>
internal static class LocalModels
{
    public static IEmbeddingGenerator<string, Embedding<float>> Embedder(string folder) =>
        throw new UserFacingException($"Local embedding models ('{folder}') need the engine's LocalEmbeddingGenerator, which this build does not include yet. HINT: use an OpenAI-compatible endpoint, e.g. --embed-model http://localhost:8080/v1#model.", ExitCode.Failure);

    public static IChatClient Chat(string folder) =>
        throw new UserFacingException($"Local chat models ('{folder}') need the engine's LocalChatClient, which this build does not include yet. HINT: use an OpenAI-compatible endpoint, e.g. --model http://localhost:8080/v1#model.", ExitCode.Failure);
}
