namespace RagTune.Evaluation.Compare.Reports;

/// <summary>What the leakage check looked at before any training: normalised test questions against every arm's training records.</summary>
public sealed record IntegrityReport
{
    /// <summary>Whether the check ran (always true in a written report: a failed check stops the run).</summary>
    public bool Checked { get; init; }
    /// <summary>Test (and update-test) questions checked.</summary>
    public int TestQuestions { get; init; }
    /// <summary>Training records searched (all arms, generated data included).</summary>
    public int TrainingRecords { get; init; }
    /// <summary>Test questions found in training data (0, or the run would have stopped).</summary>
    public int Overlaps { get; init; }
    /// <summary>How the check works, in words.</summary>
    public string Method { get; init; } = "";
}
