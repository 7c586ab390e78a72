namespace RagTune.Models.Hub;

/// <summary>A hub download or cache lookup failed; the message says what was asked for and what to do next.</summary>
public sealed class HubException(string message, Exception? inner = null) : Exception(message, inner);
