namespace RagTune.Training.Checkpoints;

/// <summary>The scalar part of a checkpoint: where the run is and what early stopping has seen.</summary>
public sealed record TrainerState
{
    /// <summary>Optimizer steps completed; data position is <c>Step × grad-accum</c> micro-batches (the order is a function of seed and epoch).</summary>
    public int Step { get; init; }
    /// <summary>Best eval metric so far (null before the first evaluation).</summary>
    public double? BestMetric { get; init; }
    /// <summary>Step of <see cref="BestMetric"/>.</summary>
    public int BestStep { get; init; }
    /// <summary>Evaluations since the best one (early stopping).</summary>
    public int EvalsWithoutImprovement { get; init; }
    /// <summary>Seed of the run, to refuse resuming a different job.</summary>
    public int Seed { get; init; }
    /// <summary>Total planned optimizer steps of the run.</summary>
    public int TotalSteps { get; init; }
}
