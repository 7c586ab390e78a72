namespace RagTune.Server.KnowledgeBases;

/// <summary>A document of a file: its id, title and chunk count.</summary>
public sealed record KnowledgeBaseDocument(string Id, string Title, int Chunks);
