namespace RagTune.Application;

/// <summary>
/// Predictions for a JSONL file, and accuracy and macro-F1 over its labelled lines (null when none has a label). Macro-F1
/// is <see cref="RagTune.Training.Reporting.EvalMetrics.Classification"/>'s: sklearn's, over the classes in gold ∪ predictions.
/// </summary>
public sealed record ClassificationReport(IReadOnlyList<LabelledPrediction> Predictions, int Labelled, double? Accuracy, double? MacroF1);
