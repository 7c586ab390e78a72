namespace RagTune.Evaluation.Comparison;

/// <summary>The demo's output folder cannot be used (e.g. it holds files the demo did not write).</summary>
public sealed class DemoOutputException(string message) : Exception(message);
