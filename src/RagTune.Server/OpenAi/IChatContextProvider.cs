using Microsoft.Extensions.AI;

namespace RagTune.Server.OpenAi;

/// <summary>
/// Grounds a chat request in a knowledge base (RagTune's extension of chat completions: a request naming a
/// knowledge base gets retrieved sources in its prompt and citations in its answer). Registered by the
/// knowledge-base feature; the chat endpoint asks it when a request names a knowledge base.
/// </summary>
public interface IChatContextProvider
{
    /// <summary>The messages to send to the model (sources added) and the citations those sources stand for.</summary>
    Task<GroundedChat> GroundAsync(string knowledgeBase, IReadOnlyList<ChatMessage> messages, string modelId, CancellationToken cancellationToken);
}

/// <summary>Messages with retrieved sources added, and one citation per numbered source ([1] = Citations[0]).</summary>
public sealed record GroundedChat(IReadOnlyList<ChatMessage> Messages, IReadOnlyList<ChatCitation> Citations);

/// <summary>A source as the API returns it: document, location and the cited passage.</summary>
public sealed record ChatCitation(int Number, string DocumentId, string? Title, string? Source, int Start, int End, int? Page, string Snippet);
