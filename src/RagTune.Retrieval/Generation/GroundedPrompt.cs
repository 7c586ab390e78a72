using Microsoft.Extensions.AI;

namespace RagTune.Retrieval.Generation;

/// <summary>The assembled prompt: chat messages, the sources they number, and the counted prompt tokens.</summary>
public sealed record GroundedPrompt(IReadOnlyList<ChatMessage> Messages, IReadOnlyList<NumberedSource> Sources, int PromptTokens);
