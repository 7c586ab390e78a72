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

/// <summary>An error whose message is meant for the user as it is (no stack trace).</summary>
public sealed class UserFacingException(string message, ExitCode exitCode = ExitCode.BadInput, Exception? inner = null)
    : Exception(message, inner)
{
    public ExitCode ExitCode { get; } = exitCode;
}
