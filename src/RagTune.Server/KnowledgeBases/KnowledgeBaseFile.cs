namespace RagTune.Server.KnowledgeBases;

/// <summary>A file in a knowledge base: name, whether it was uploaded through the API (deletable), size, and its documents.</summary>
public sealed record KnowledgeBaseFile(string Name, bool Uploaded, long Bytes, DateTimeOffset? Modified, IReadOnlyList<KnowledgeBaseDocument> Documents);

