namespace RagTune.Models.Templates;

/// <summary>
/// A chat template could not be parsed or rendered: unsupported syntax (the message names the construct and its
/// line and column), a runtime type error, or the template's own <c>raise_exception(...)</c>.
/// </summary>
public sealed class TemplateException : Exception
{
    /// <summary>Creates the exception with a complete message.</summary>
    public TemplateException(string message, Exception? inner = null) : base(message, inner) { }
}
