namespace RagTune.Application;

/// <summary>The prediction for one line of a JSONL file and the line's gold label id (null when it has none).</summary>
public sealed record LabelledPrediction(int Line, Prediction Prediction, int? GoldId);
