namespace RagTune.Evaluation.Comparison;

/// <summary>The result of a <see cref="DemoRunner"/> run (written as <c>report.json</c>).</summary>
public sealed record DemoReport
{
    /// <summary>Seed of the run.</summary>
    public required int Seed { get; init; }

    /// <summary>Facts (= questions) in the domain.</summary>
    public required int Facts { get; init; }

    /// <summary>Documents in the corpus.</summary>
    public required int Documents { get; init; }

    /// <summary>Facts changed by the knowledge update.</summary>
    public required int ChangedFacts { get; init; }

    /// <summary>Documents re-ingested after the update.</summary>
    public required int ChangedDocuments { get; init; }

    /// <summary>Tokens in the word-level vocabulary.</summary>
    public required int VocabSize { get; init; }

    /// <summary>Parameters of the model.</summary>
    public required long Parameters { get; init; }

    /// <summary>Chunks retrieved per question.</summary>
    public required int TopK { get; init; }

    /// <summary>Seconds spent teaching the base model to read a context sentence (no domain facts).</summary>
    public required double ReadingTrainingSeconds { get; init; }

    /// <summary>Fine-tuning throughput (tokens/s, padding excluded).</summary>
    public required double FineTuneTokensPerSecond { get; init; }

    /// <summary>Seconds to ingest the corpus the first time.</summary>
    public required double IngestSeconds { get; init; }

    /// <summary>Peak working set of the process (MB).</summary>
    public required double PeakWorkingSetMb { get; init; }

    /// <summary>Seconds per step, in order.</summary>
    public required IReadOnlyList<DemoStepTiming> Steps { get; init; }

    /// <summary>The four systems side by side.</summary>
    public required IReadOnlyList<DemoSystemResult> Systems { get; init; }

    /// <summary>Which components are stand-ins and other caveats.</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>The system called <paramref name="name"/>.</summary>
    public DemoSystemResult System(string name) => Systems.First(s => s.Name == name);
}
