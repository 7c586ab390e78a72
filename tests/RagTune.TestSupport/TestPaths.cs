namespace RagTune.Tests;

/// <summary>Locates the repository's test data (tests/data) from any test's working directory.</summary>
public static class TestPaths
{
    static readonly Lazy<string> RepoRootLazy = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RagTune.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException($"RagTune.slnx not found above {AppContext.BaseDirectory}");
    });

    public static string RepoRoot => RepoRootLazy.Value;
    public static string Data => Path.Combine(RepoRoot, "tests", "data");
    public static string Parity(string name) => Path.Combine(Data, "parity", name);
    public static string Tokenizer(string name) => Path.Combine(Data, "tokenizers", name);

    /// <summary>A fresh, empty directory under the system temp folder, unique to the caller.</summary>
    public static string NewTempDir(string prefix = "ragtune-test")
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
