namespace RagTune.Models.Tokenization;

/// <summary>A tokenizer file is missing, malformed or uses a component this library does not implement.</summary>
public sealed class TokenizerLoadException : Exception
{
    /// <summary>Creates the exception; the message starts with the file path.</summary>
    public TokenizerLoadException(string filePath, string message, Exception? inner = null)
        : base($"{filePath}: {message}", inner)
    {
        FilePath = filePath;
    }

    /// <summary>The file (or folder) the problem is in.</summary>
    public string FilePath { get; }
}
