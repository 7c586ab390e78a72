namespace RagTune.Application;

/// <summary>A question answered from a knowledge base by a chat model, with citations.</summary>
public sealed record AskRequest
{
    /// <summary>Knowledge-base folder.</summary>
    public required string KnowledgeBase { get; init; }
    /// <summary>Chat model spec: a local folder or an OpenAI-compatible endpoint (<c>http://host/v1#model</c>).</summary>
    public required string Model { get; init; }
    /// <summary>The question.</summary>
    public required string Question { get; init; }
    /// <summary>Mode; null: <see cref="RetrieverBuilder.DefaultMode"/>.</summary>
    public RetrievalMode? Mode { get; init; }
    /// <summary>Sources retrieved.</summary>
    public int TopK { get; init; } = 5;
    /// <summary>The context window to fill; capped by a local model's own window.</summary>
    public int ContextTokens { get; init; } = 2048;
    /// <summary>Relevance threshold; nothing above it means abstaining.</summary>
    public double? MinScore { get; init; }
    /// <summary>How the chat model is opened.</summary>
    public ModelClientOptions? ModelOptions { get; init; }
}
