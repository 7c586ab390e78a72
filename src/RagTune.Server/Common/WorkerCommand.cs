using System.Diagnostics;
using System.Reflection;

namespace RagTune.Server.Common;

/// <summary>Resolves how to start a <c>ragtune</c> child process (fine-tuning jobs and comparison runs run out of process).</summary>
public static class WorkerCommand
{
    /// <summary>
    /// <see cref="ServerOptions.WorkerCommand"/> when set; otherwise the running executable (the server runs inside the
    /// <c>ragtune</c> CLI), or <c>dotnet &lt;entry assembly&gt;</c> when the host is the <c>dotnet</c> muxer.
    /// </summary>
    public static IReadOnlyList<string> Resolve(ServerOptions options)
    {
        if (options.WorkerCommand is { Count: > 0 } configured) return configured;
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell the running executable; set ServerOptions.WorkerCommand.");
        if (Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            && Assembly.GetEntryAssembly()?.Location is { Length: > 0 } entry)
            return [process, entry];
        return [process];
    }

    /// <summary>A start info for <c>command… args…</c> with redirected output and no console window.</summary>
    public static ProcessStartInfo StartInfo(ServerOptions options, IEnumerable<string> arguments, string workingDirectory)
    {
        var command = Resolve(options);
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            UseShellExecute = false, CreateNoWindow = true, WorkingDirectory = workingDirectory,
        };
        foreach (var a in command.Skip(1).Concat(arguments)) info.ArgumentList.Add(a);
        // Plain lines for the log parser: no colours or cursor moves from Spectre.Console.
        info.Environment["NO_COLOR"] = "1";
        info.Environment["TERM"] = "dumb";
        return info;
    }
}
