using RagTune.Application;
using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace RagTune.Cli;

/// <summary>
/// The one writer pair every verb prints through: results on <see cref="Out"/> (stdout), progress, notes and errors on
/// <see cref="Error"/> (stderr). With <c>--json</c> a verb writes only <see cref="Json"/> to stdout.
/// </summary>
internal sealed class CliOutput(TextWriter output, TextWriter error)
{
    /// <summary>The writers of an invocation (the console unless a test or host gives others).</summary>
    public static CliOutput For(ParseResult result) => new(result.InvocationConfiguration.Output, result.InvocationConfiguration.Error);

    /// <summary>stdout: results.</summary>
    public TextWriter Out { get; } = output;

    /// <summary>stderr: progress, notes, errors.</summary>
    public TextWriter Error { get; } = error;

    /// <summary>A result line.</summary>
    public void Line(string text = "") => Out.WriteLine(text);

    /// <summary>A note or progress line on stderr.</summary>
    public void Note(string text) => Error.WriteLine(text);

    /// <summary>One JSON document on stdout.</summary>
    public void Json<T>(T value) => Out.WriteLine(JsonSerializer.Serialize(value));

    /// <summary>Whether <paramref name="writer"/> is the process's own stdout or stderr on an interactive terminal.</summary>
    public static bool IsTerminal(TextWriter writer) =>
        (ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected) || (ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected);

    /// <summary>
    /// A Spectre console writing to <paramref name="writer"/>: colours only on an interactive terminal, plain text into a
    /// file, a pipe or a host's writer (Spectre cannot tell what an arbitrary writer is and would guess from the environment).
    /// </summary>
    public static IAnsiConsole Rich(TextWriter writer)
    {
        var terminal = IsTerminal(writer);
        return AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
    }

    /// <summary>Notes as an <see cref="IProgress{T}"/> (reported in order on the caller's thread).</summary>
    public IProgress<string> Notes => new InlineProgress<string>(Note);
}
