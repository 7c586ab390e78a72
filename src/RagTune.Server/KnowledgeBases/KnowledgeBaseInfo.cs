namespace RagTune.Server.KnowledgeBases;

/// <summary>
/// A knowledge base the server knows: its store folder (SQLite + Lucene), the folder its uploaded documents are kept
/// in (ingested with sync, so deleting a file there and re-ingesting deletes its documents), and whether it was given
/// with <c>--kb</c> at start (external: never deleted by the API).
/// </summary>
public sealed record KnowledgeBaseInfo(string Name, string StoreFolder, string FilesFolder, bool External);
