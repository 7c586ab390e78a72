namespace RagTune.Training;

/// <summary>Loss or gradients became NaN/Inf; the message names the step. The last checkpoint on disk stays valid.</summary>
public sealed class TrainingDivergedException(int step, string what) : Exception(
    $"training diverged at step {step}: {what} is not finite. The last good checkpoint is kept. HINT: lower --lr, or keep gradient clipping on.")
{
    /// <summary>The optimizer step (1-based) whose loss or gradients were not finite.</summary>
    public int Step { get; } = step;
}
