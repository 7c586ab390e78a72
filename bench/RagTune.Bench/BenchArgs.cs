namespace RagTune.Bench;

/// <summary>Options of the bench subcommands: <c>--name value</c> pairs.</summary>
static class BenchArgs
{
    /// <summary>The whole number after <paramref name="name"/>; <paramref name="fallback"/> when absent or not a number.</summary>
    public static int Int(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }
}
