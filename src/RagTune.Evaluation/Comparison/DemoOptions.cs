namespace RagTune.Evaluation.Comparison;

/// <summary>Options of one <see cref="DemoRunner"/> run; <see cref="Quick"/> is the tiny variant the tests use.</summary>
public sealed record DemoOptions
{
    /// <summary>Seed of the domain, the model initialisation and the data order.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Output folder: corpus, models, knowledge base, report.json, chart.png.</summary>
    public string OutputDir { get; init; } = Path.Combine(".", "out", "demo");

    /// <summary>Domain size.</summary>
    public SyntheticDomainOptions Domain { get; init; } = new();

    /// <summary>Model width (hidden size). Default 64 (wider models learn the reading lesson more slowly at this step budget).</summary>
    public int HiddenSize { get; init; } = 64;

    /// <summary>Decoder blocks. Default 2.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Attention heads. Default 4.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Steps teaching the base model to read (answer from a context sentence; invented pairings, no facts).</summary>
    public int ReadingSteps { get; init; } = 500;

    /// <summary>Fine-tuning steps on the domain's facts.</summary>
    public int FineTuneSteps { get; init; } = 600;

    /// <summary>Examples per step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak learning rate (AdamW).</summary>
    public double LearningRate { get; init; } = 6e-3;

    /// <summary>Chunks retrieved per question.</summary>
    public int TopK { get; init; } = 3;

    /// <summary>The tiny configuration for tests: a small domain and model, few steps.</summary>
    public static DemoOptions Quick(string outputDir, int seed = 42) => new()
    {
        Seed = seed,
        OutputDir = outputDir,
        Domain = SyntheticDomainOptions.Quick,
        HiddenSize = 64,
        Heads = 4,
        ReadingSteps = 400,
        FineTuneSteps = 300,
        BatchSize = 24,
    };
}
