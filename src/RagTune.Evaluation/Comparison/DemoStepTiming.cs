namespace RagTune.Evaluation.Comparison;

/// <summary>Wall-clock seconds of one demo step.</summary>
public sealed record DemoStepTiming(string Step, double Seconds);
