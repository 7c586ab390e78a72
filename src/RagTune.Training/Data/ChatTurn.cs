namespace RagTune.Training.Data;

/// <summary>One message of an SFT conversation as it appears in the JSONL data.</summary>
public sealed record ChatTurn(string Role, string Content);
