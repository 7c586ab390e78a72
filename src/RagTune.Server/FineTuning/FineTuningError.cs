namespace RagTune.Server.FineTuning;

/// <summary>OpenAI's job error object.</summary>
public sealed record FineTuningError(string Code, string Message, string? Param = null);

