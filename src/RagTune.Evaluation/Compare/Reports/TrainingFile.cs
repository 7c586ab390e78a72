namespace RagTune.Evaluation.Compare.Reports;

/// <summary>A file an arm was trained on, with its SHA-256 (so a reader can verify what went in).</summary>
public sealed record TrainingFile(string Path, string Sha256, int Records);
