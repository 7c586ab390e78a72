namespace RagTune.Application.Benchmark;

/// <summary>The demo's output folder cannot be used (not empty and not made by the demo).</summary>
public sealed class DemoOutputException(string message) : Exception(message);
