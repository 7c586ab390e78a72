namespace RagTune.Server;

/// <summary>Everything <c>ragtune serve</c> is started with. Plain data: the CLI parses flags into it, tests build it directly.</summary>
public sealed record ServerOptions
{
    /// <summary>Model folders (or hub ids) served; a model's id in <c>/v1/models</c> is its folder name.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>Knowledge-base folders opened at start (more can be created through the API under <see cref="DataDirectory"/>).</summary>
    public IReadOnlyList<string> KnowledgeBases { get; init; } = [];

    /// <summary>Embedding model for knowledge bases and <c>/v1/embeddings</c> (a built-in name or a folder), or null.</summary>
    public string? EmbedModel { get; init; }

    /// <summary>Listen addresses; loopback by default.</summary>
    public IReadOnlyList<string> Urls { get; init; } = ["http://127.0.0.1:8080"];

    /// <summary>A file with one API key per line; null = no authentication.</summary>
    public string? ApiKeyFile { get; init; }

    /// <summary>Rows decoded together per model (continuous batching).</summary>
    public int MaxBatch { get; init; } = 8;

    /// <summary>Requests waiting beyond the active rows; past it the server answers 429.</summary>
    public int QueueLimit { get; init; } = 64;

    /// <summary>Where uploaded files, created knowledge bases, fine-tuning jobs and comparison runs live.</summary>
    public string DataDirectory { get; init; } = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "ragtune", "server");

    /// <summary>Positions per batch row (prompt plus answer); null = the model's context, at most 2048.</summary>
    public int? ContextLength { get; init; }

    /// <summary>A generation request running longer than this is cancelled (its row freed).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Largest JSON body the API endpoints accept (larger: 413).</summary>
    public long MaxJsonBodyBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Largest request body Kestrel accepts at all (uploads); endpoints may set lower limits.</summary>
    public long MaxRequestBodyBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Structured JSON logs (with request ids) on the console; off for tests and embedding.</summary>
    public bool ConsoleLogs { get; init; }

    /// <summary>
    /// The command that runs child jobs (fine-tuning, comparisons) as <c>&lt;command…&gt; finetune …</c>; null = the running
    /// <c>ragtune</c> executable (or <c>dotnet ragtune.dll</c>). Tests point it at the built CLI.
    /// </summary>
    public IReadOnlyList<string>? WorkerCommand { get; init; }

    /// <summary>Largest accepted upload (knowledge-base documents, fine-tuning files) in bytes. Default 64 MB.</summary>
    public long MaxUploadBytes { get; init; } = 64L << 20;
}
