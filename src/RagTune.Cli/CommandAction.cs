using RagTune.Application;

namespace RagTune.Cli;

/// <summary>
/// The error handling every verb's action shares. System.CommandLine turns an exception thrown by an action into exit
/// code 1 with a stack trace; user errors are printed here as one line, <c>error: &lt;message&gt;</c>, with their own
/// exit code instead, and cancellation (Ctrl+C) exits with <see cref="ExitCode.Cancelled"/>.
/// </summary>
public static class CommandAction
{
    /// <summary>
    /// Runs <paramref name="body"/> and returns its exit code. A <see cref="UserFacingException"/> (or a <see cref="ServiceException"/>) is
    /// reported on <paramref name="error"/> with its exit code; an exception <paramref name="badArguments"/> accepts is reported
    /// with <see cref="ExitCode.BadArguments"/>; an <see cref="OperationCanceledException"/> after <paramref name="ct"/>
    /// was cancelled returns <see cref="ExitCode.Cancelled"/> (with the default token, it propagates as before).
    /// </summary>
    public static async Task<int> RunAsync(Func<Task<ExitCode>> body, TextWriter error, CancellationToken ct = default,
        Func<Exception, bool>? badArguments = null)
    {
        try
        {
            return (int)await body();
        }
        catch (UserFacingException e)
        {
            error.WriteLine($"error: {e.Message}");
            return (int)e.ExitCode;
        }
        catch (ServiceException e)
        {
            error.WriteLine($"error: {e.Message}");
            return (int)ExitCodes.For(e.Kind);
        }
        catch (Exception e) when (badArguments?.Invoke(e) == true)
        {
            error.WriteLine($"error: {e.Message}");
            return (int)ExitCode.BadArguments;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return (int)ExitCode.Cancelled;
        }
    }

    /// <summary>The synchronous form of <see cref="RunAsync"/>, for verbs with a synchronous action.</summary>
    public static int Run(Func<ExitCode> body, TextWriter error) =>
        RunAsync(() => Task.FromResult(body()), error).GetAwaiter().GetResult();
}
