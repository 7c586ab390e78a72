namespace RagTune.Application.Compare;

/// <summary>A compare config or one of its data files is wrong; the message names the file/field and what was expected.</summary>
public sealed class CompareConfigException(string message, Exception? inner = null) : Exception(message, inner);
