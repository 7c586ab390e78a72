namespace RagTune.Models;

/// <summary>
/// A checkpoint (safetensors file, config.json or weight set) that cannot be loaded. The message names the file and,
/// where one is involved, the tensor, and says what was expected.
/// </summary>
public sealed class ModelLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the file and tensor.</param>
    /// <param name="filePath">The offending file, when there is one.</param>
    /// <param name="tensorName">The offending tensor, when there is one.</param>
    /// <param name="inner">The underlying error.</param>
    public ModelLoadException(string message, string? filePath = null, string? tensorName = null, Exception? inner = null)
        : base(message, inner)
    {
        FilePath = filePath;
        TensorName = tensorName;
    }

    /// <summary>The file being read, when known.</summary>
    public string? FilePath { get; }

    /// <summary>The tensor concerned, when known.</summary>
    public string? TensorName { get; }
}
