using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using RagTune.Retrieval.Generation;
using RagTune.Retrieval.Retrieval;

namespace RagTune.Application;

/// <summary>Answers a question from a knowledge base with a grounded, cited answer.</summary>
public static class AskService
{
    /// <summary>
    /// Retrieves, builds a grounded prompt within the model's context window (the engine's reading of a local model's
    /// config caps <see cref="AskRequest.ContextTokens"/>; the answer gets a quarter of it, at most 384 tokens) and streams
    /// the answer; the last update carries the <see cref="GroundedAnswer"/> with its citations. When
    /// <paramref name="chat"/> is given it is used (and not disposed); otherwise <see cref="AskRequest.Model"/> is opened
    /// and disposed when the stream ends, like the knowledge base and the retriever's embedder.
    /// </summary>
    public static async IAsyncEnumerable<GroundedAnswerUpdate> AskStreamingAsync(AskRequest request, IChatClient? chat = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var kb = KnowledgeBases.OpenForReading(request.KnowledgeBase);
        using var retriever = RetrieverBuilder.Build(kb, request.Mode);
        using var owned = chat is null ? ModelClients.OpenChat(request.Model, request.ModelOptions) : null;
        var window = Math.Min(request.ContextTokens, ModelClients.ContextWindow(request.Model) ?? int.MaxValue);
        var options = new GroundedAnswerOptions
        {
            AnswerTokens = Math.Min(384, window / 4),
            ContextTokens = window,
            TokenCounter = ModelClients.TokenCounter(request.Model),
            Retrieval = new RetrievalOptions { TopK = request.TopK, MinScore = request.MinScore },
        };
        var generator = new GroundedAnswerGenerator(retriever, chat ?? owned!, options);
        await foreach (var update in generator.AskStreamingAsync(request.Question, cancellationToken)) yield return update;
    }
}
