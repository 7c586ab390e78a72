namespace RagTune.Server;

/// <summary>Marker for the server assembly (endpoints are added by feature folders: OpenAi/, KnowledgeBases/, FineTuning/, Comparisons/, wwwroot/).</summary>
internal static class ServerAssembly;
