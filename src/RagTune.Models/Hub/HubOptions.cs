namespace RagTune.Models.Hub;

/// <summary>
/// Where and how <see cref="HubDownloader"/> talks to a Hugging Face Hub (or a mirror) and where it caches files.
/// <see cref="FromEnvironment"/> reads the same variables as <c>huggingface_hub</c>, so both share one cache.
/// </summary>
public sealed record HubOptions
{
    /// <summary>Base URL of the hub (<c>HF_ENDPOINT</c>, default <c>https://huggingface.co</c>), no trailing slash.</summary>
    public string Endpoint { get; init; } = "https://huggingface.co";

    /// <summary>
    /// The hub cache folder holding <c>models--org--name</c> folders (<c>HF_HUB_CACHE</c>, else <c>HF_HOME/hub</c>,
    /// else <c>~/.cache/huggingface/hub</c>).
    /// </summary>
    public string CacheDirectory { get; init; } = DefaultCacheDirectory(null);

    /// <summary>Bearer token for gated/private repos (<c>HF_TOKEN</c>, else the <c>HF_HOME/token</c> file).</summary>
    public string? Token { get; init; }

    /// <summary>Use the cache only, never the network (<c>HF_HUB_OFFLINE=1</c>); a missing snapshot is an error.</summary>
    public bool Offline { get; init; }

    /// <summary>
    /// Glob patterns (<c>*</c>, <c>?</c>; <c>*</c> also crosses <c>/</c> as in <c>fnmatch</c>) of the repo files to
    /// download; null downloads every file.
    /// </summary>
    public IReadOnlyList<string>? AllowPatterns { get; init; }

    /// <summary>How many times an interrupted transfer is resumed (HTTP Range) before giving up.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>The files a model folder needs for RagTune: configs, safetensors weights, tokenizer files, templates.</summary>
    public static IReadOnlyList<string> ModelFilePatterns { get; } =
        ["*.json", "*.safetensors", "tokenizer.model", "*.txt", "*.jinja"];

    /// <summary>Options from <c>HF_ENDPOINT</c>, <c>HF_HOME</c>, <c>HF_HUB_CACHE</c>, <c>HF_TOKEN</c>, <c>HF_HUB_OFFLINE</c>.</summary>
    public static HubOptions FromEnvironment(Func<string, string?>? getEnv = null)
    {
        getEnv ??= Environment.GetEnvironmentVariable;
        var home = HfHome(getEnv);
        var token = NonEmpty(getEnv("HF_TOKEN")) ?? NonEmpty(getEnv("HUGGING_FACE_HUB_TOKEN"));
        var tokenFile = Path.Combine(home, "token");
        if (token is null && File.Exists(tokenFile)) token = NonEmpty(File.ReadAllText(tokenFile).Trim());
        var offline = getEnv("HF_HUB_OFFLINE") is { } o && (o == "1" || o.Equals("true", StringComparison.OrdinalIgnoreCase));
        return new HubOptions
        {
            Endpoint = (NonEmpty(getEnv("HF_ENDPOINT")) ?? "https://huggingface.co").TrimEnd('/'),
            CacheDirectory = DefaultCacheDirectory(getEnv),
            Token = token,
            Offline = offline,
        };
    }

    static string DefaultCacheDirectory(Func<string, string?>? getEnv)
    {
        getEnv ??= Environment.GetEnvironmentVariable;
        return NonEmpty(getEnv("HF_HUB_CACHE")) ?? NonEmpty(getEnv("HUGGINGFACE_HUB_CACHE")) ?? Path.Combine(HfHome(getEnv), "hub");
    }

    static string HfHome(Func<string, string?> getEnv)
    {
        if (NonEmpty(getEnv("HF_HOME")) is { } home) return home;
        var xdg = NonEmpty(getEnv("XDG_CACHE_HOME"))
                  ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(xdg, "huggingface");
    }

    static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
