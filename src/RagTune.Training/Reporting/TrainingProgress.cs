namespace RagTune.Training.Reporting;

/// <summary>One progress report: after an optimizer step, or after an evaluation (<see cref="Eval"/> set).</summary>
public sealed record TrainingProgress(int Step, int TotalSteps, double Loss, double LearningRate, double GradNorm,
                                      double TokensPerSecond, TimeSpan Eta, EvalMetrics? Eval = null);
