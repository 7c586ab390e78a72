namespace RagTune.Application;

/// <summary>
/// An error meant for the user as it is: the message names the bad value (file, field, model) and what was expected.
/// Every service turns the libraries' expected failures into this exception; front ends print the message without a
/// stack trace and map <see cref="Kind"/> to their own codes.
/// </summary>
public sealed class ServiceException(string message, ServiceErrorKind kind = ServiceErrorKind.BadInput, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>The class of error.</summary>
    public ServiceErrorKind Kind { get; } = kind;
}
