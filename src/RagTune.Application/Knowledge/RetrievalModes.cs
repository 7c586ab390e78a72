namespace RagTune.Application;

/// <summary>The names of <see cref="RetrievalMode"/>s as users type them (<c>--mode bm25|dense|hybrid</c>).</summary>
public static class RetrievalModes
{
    /// <summary>Every mode's name, in <see cref="RetrievalMode"/> order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["bm25", "dense", "hybrid"];

    /// <summary>The mode called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ServiceException">Not one of <see cref="Names"/>.</exception>
    public static RetrievalMode Parse(string name) => name.ToLowerInvariant() switch
    {
        "bm25" => RetrievalMode.Bm25,
        "dense" => RetrievalMode.Dense,
        "hybrid" => RetrievalMode.Hybrid,
        _ => throw new ServiceException($"--mode '{name}': expected one of {string.Join(", ", Names)}.", ServiceErrorKind.BadArguments),
    };

    /// <summary>The name of <paramref name="mode"/>.</summary>
    public static string Name(this RetrievalMode mode) => Names[(int)mode];
}
