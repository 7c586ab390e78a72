using System.CommandLine;
using System.Reflection;

namespace RagTune.Cli;

/// <summary>
/// Builds the <c>ragtune</c> command tree from every <see cref="ICliCommand"/> in this assembly, so adding a verb
/// is adding one class; verbs with a <see cref="ICliCommand.Group"/> (e.g. <c>model forward</c>) nest under it.
/// </summary>
public static class CliApp
{
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("RagTune: fine-tuning and RAG for language models, measured side by side.");
        var groups = new Dictionary<string, Command>(StringComparer.Ordinal);
        var verbs = typeof(CliApp).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ICliCommand).IsAssignableFrom(t))
            .Select(t => (ICliCommand)Activator.CreateInstance(t)!)
            .OrderBy(c => c.Group ?? "").ThenBy(c => c.GetType().Name, StringComparer.Ordinal);
        foreach (var verb in verbs)
        {
            var command = verb.Build();
            if (verb.Group is null) { root.Subcommands.Add(command); continue; }
            if (!groups.TryGetValue(verb.Group, out var group))
            {
                group = new Command(verb.Group, GroupDescription(verb.Group));
                groups[verb.Group] = group;
                root.Subcommands.Add(group);
            }
            group.Subcommands.Add(command);
        }
        return root;
    }

    /// <summary>
    /// Parses and runs one command line. Results go to <paramref name="output"/>, progress and errors to
    /// <paramref name="error"/> (the console's when null): a host or test passes its own writers instead of redirecting
    /// the process-wide console, which would capture whatever else the process prints meanwhile.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var root = BuildRoot();
        var invocation = new InvocationConfiguration { Output = output ?? Console.Out, Error = error ?? Console.Error };
        try
        {
            return await root.Parse(args).InvokeAsync(invocation);
        }
        catch (UserFacingException e)
        {
            invocation.Error.WriteLine($"error: {e.Message}");
            return (int)e.ExitCode;
        }
        catch (Application.ServiceException e)
        {
            invocation.Error.WriteLine($"error: {e.Message}");
            return (int)ExitCodes.For(e.Kind);
        }
    }

    static string GroupDescription(string group) => group switch
    {
        "model" => "Inspect and run model checkpoints.",
        "kb" => "Knowledge-base maintenance.",
        "eval" => "Evaluate retrieval and models.",
        "export" => "Export models for other runtimes (GGUF for llama.cpp, Ollama).",
        _ => group,
    };
}
