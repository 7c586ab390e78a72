using RagTune.Training.Reporting;

namespace RagTune.Training;

/// <summary>How a run ended: steps done, early stop, last evaluation, best metric (negated accuracy for classification) and its step.</summary>
public sealed record TrainingResult(int Steps, int TotalSteps, bool StoppedEarly, EvalMetrics? LastEval, double? BestMetric, int BestStep);
