using System.Diagnostics;

namespace RagTune.Server.Common;

/// <summary>
/// A <c>ragtune</c> child process (a fine-tuning job, a comparison run): its output lines go to a callback, the
/// last stderr lines are kept for the failure reason, and cancelling kills the whole process tree. Whatever the
/// child does — crash, out-of-memory kill, hang until cancelled — the server only sees an exit code.
/// </summary>
public sealed class WorkerProcess : IDisposable
{
    const int KeptErrorLines = 20;
    readonly Process _process;
    readonly Queue<string> _errorTail = new();
    readonly TaskCompletionSource _stdoutDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly TaskCompletionSource _stderrDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    WorkerProcess(Process process) => _process = process;

    /// <summary>Process id.</summary>
    public int Id => _process.Id;

    /// <summary>Starts <paramref name="info"/>; <paramref name="onLine"/> gets (isError, line) for every output line.</summary>
    public static WorkerProcess Start(ProcessStartInfo info, Action<bool, string> onLine)
    {
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is null) worker._stdoutDone.TrySetResult(); else onLine(false, e.Data); };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) { worker._stderrDone.TrySetResult(); return; }
            lock (worker._errorTail)
            {
                worker._errorTail.Enqueue(e.Data);
                while (worker._errorTail.Count > KeptErrorLines) worker._errorTail.Dequeue();
            }
            onLine(true, e.Data);
        };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Waits for the exit (killing the tree when <paramref name="cancellationToken"/> fires) and returns the exit code.</summary>
    public async Task<int> WaitAsync(CancellationToken cancellationToken)
    {
        try { await _process.WaitForExitAsync(cancellationToken); }
        catch (OperationCanceledException)
        {
            Kill();
            await _process.WaitForExitAsync(CancellationToken.None);
        }
        // Drain the output so the last lines (the error message) are seen before the exit is acted on.
        await Task.WhenAny(Task.WhenAll(_stdoutDone.Task, _stderrDone.Task), Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
        return _process.ExitCode;
    }

    /// <summary>The reason to show for a failed exit: the child's <c>error:</c> line, else its last stderr lines, plus how it exited.</summary>
    public string FailureReason(int exitCode)
    {
        string[] tail;
        lock (_errorTail) tail = [.. _errorTail];
        var error = tail.LastOrDefault(l => l.StartsWith("error:", StringComparison.OrdinalIgnoreCase))
                    ?? string.Join(" | ", tail.Where(l => l.Trim().Length > 0).TakeLast(3));
        var how = exitCode switch
        {
            137 => "the process was killed (SIGKILL, e.g. out of memory)",
            134 => "the process aborted (SIGABRT, a native crash)",
            139 => "the process crashed (SIGSEGV)",
            _ => $"the process exited with code {exitCode}",
        };
        return error.Length > 0 ? $"{error.Trim()} ({how})" : how;
    }

    /// <summary>Kills the process and its children.</summary>
    public void Kill()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { } // exited in between: nothing to kill
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
