namespace RagTune.Application;

/// <summary>Marker for the application layer assembly.</summary>
internal static class ApplicationAssembly;
