namespace RagTune.Models.Onnx;

/// <summary>Where built-in encoders are converted to and looked up.</summary>
/// <param name="CacheDirectory">Folder holding converted models; null: <c>RAGTUNE_MODEL_CACHE</c>, else
/// <c>$XDG_CACHE_HOME/ragtune/models</c>, else <c>~/.cache/ragtune/models</c>.</param>
/// <param name="AssemblyDirectories">Extra folders searched for the packages' DLLs.</param>
/// <param name="Progress">Told when a first use converts a model (seconds of work).</param>
public sealed record EmbeddingModelCacheOptions(string? CacheDirectory = null, IReadOnlyList<string>? AssemblyDirectories = null,
    IProgress<string>? Progress = null)
{
    /// <summary>The cache folder these options name.</summary>
    public string ResolveCacheDirectory()
    {
        if (CacheDirectory is { Length: > 0 } explicitDir) return Path.GetFullPath(explicitDir);
        if (Environment.GetEnvironmentVariable("RAGTUNE_MODEL_CACHE") is { Length: > 0 } env) return Path.GetFullPath(env);
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x
            ? x : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(xdg, "ragtune", "models");
    }
}
