namespace RagTune.Training.Data;

/// <summary>Bad training data: the message names the file, line and field, and what was expected.</summary>
public sealed class DatasetException(string message) : Exception(message);
