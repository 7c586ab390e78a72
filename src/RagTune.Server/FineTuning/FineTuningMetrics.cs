namespace RagTune.Server.FineTuning;

/// <summary>One step's metrics as events carry them.</summary>
public sealed record FineTuningMetrics(int Step, double? TrainLoss, double? ValidLoss, double? TokensPerSecond, double? LearningRate);
