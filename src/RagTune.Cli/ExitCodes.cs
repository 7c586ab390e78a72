namespace RagTune.Cli;

/// <summary>Process exit codes shared by every verb.</summary>
public enum ExitCode
{
    Ok = 0,
    Failure = 1,
    BadArguments = 2,
    BadInput = 3,
    NotFound = 4,
    Cancelled = 130,
}

/// <summary>Maps the application layer's error kinds to exit codes.</summary>
public static class ExitCodes
{
    /// <summary>The exit code for a <see cref="RagTune.Application.ServiceException"/> of kind <paramref name="kind"/>.</summary>
    public static ExitCode For(RagTune.Application.ServiceErrorKind kind) => kind switch
    {
        RagTune.Application.ServiceErrorKind.BadArguments => ExitCode.BadArguments,
        RagTune.Application.ServiceErrorKind.BadInput => ExitCode.BadInput,
        RagTune.Application.ServiceErrorKind.NotFound => ExitCode.NotFound,
        _ => ExitCode.Failure,
    };
}

/// <summary>An error whose message is meant for the user as it is (no stack trace).</summary>
public sealed class UserFacingException(string message, ExitCode exitCode = ExitCode.BadInput, Exception? inner = null)
    : Exception(message, inner)
{
    public ExitCode ExitCode { get; } = exitCode;
}
