using RagTune.Training.Optim;

namespace RagTune.Training;

/// <summary>
/// Every knob of a training run in one record, printed in full at start (torchtune's rule) and stored with each
/// checkpoint so a resumed run can check it continues the same job.
/// </summary>
public sealed record TrainerOptions
{
    /// <summary>Output folder: checkpoints, metrics.jsonl, loss.png.</summary>
    public required string OutputDir { get; init; }
    /// <summary>Passes over the training data (ignored when <see cref="MaxSteps"/> is set).</summary>
    public int Epochs { get; init; } = 1;
    /// <summary>Optimizer steps to take; overrides <see cref="Epochs"/> when positive.</summary>
    public int MaxSteps { get; init; }
    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 2e-4;
    /// <summary>Examples per micro-batch.</summary>
    public int BatchSize { get; init; } = 8;
    /// <summary>Micro-batches per optimizer step.</summary>
    public int GradAccumSteps { get; init; } = 1;
    /// <summary>AdamW decoupled weight decay on weight matrices.</summary>
    public double WeightDecay { get; init; } = 0.01;
    /// <summary>Fraction of steps for linear warmup.</summary>
    public double WarmupRatio { get; init; } = 0.05;
    /// <summary>Decay after warmup.</summary>
    public LrDecay Decay { get; init; } = LrDecay.Cosine;
    /// <summary>Global gradient-norm clip; 0 disables.</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary>Seed for data order, dropout and initialisation.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>Checkpoint every N optimizer steps; 0 = only at the end.</summary>
    public int SaveEvery { get; init; }
    /// <summary>Evaluate every N optimizer steps; 0 = once per epoch end.</summary>
    public int EvalEvery { get; init; }
    /// <summary>Stop after this many evaluations without improvement; 0 disables early stopping.</summary>
    public int EarlyStoppingPatience { get; init; }
    /// <summary>Print a progress line every N steps.</summary>
    public int LogEvery { get; init; } = 10;
    /// <summary>Continue from the newest checkpoint in <see cref="OutputDir"/>.</summary>
    public bool Resume { get; init; }
    /// <summary>Token id used to pad batches.</summary>
    public int PadTokenId { get; init; }
    /// <summary>
    /// Batch examples of similar length together (<see cref="Data.DataSplit.LengthGroupedPermutation"/>), so padding wastes
    /// little compute when lengths vary widely; the order stays a pure function of (seed, epoch), so resume is still exact.
    /// </summary>
    public bool GroupByLength { get; init; }
    /// <summary>Classification (class-id labels, accuracy/F1) instead of language modelling.</summary>
    public bool Classification { get; init; }
    /// <summary>Write loss.png at the end.</summary>
    public bool PlotLoss { get; init; } = true;
    /// <summary>Checkpoints kept besides <c>best</c> (older ones are deleted).</summary>
    public int KeepCheckpoints { get; init; } = 2;
}
