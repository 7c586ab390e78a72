namespace RagTune.Training.Optim;

/// <summary>Shape of the learning rate after warmup.</summary>
public enum LrDecay { Cosine, Linear, Constant }

/// <summary>
/// Linear warmup then cosine or linear decay to <see cref="MinLrRatio"/>·peak — a pure function of the step, so
/// resuming needs only the step number (HF <c>get_cosine_schedule_with_warmup</c>).
/// </summary>
public sealed record LrSchedule(double PeakLr, int WarmupSteps, int TotalSteps, LrDecay Decay = LrDecay.Cosine, double MinLrRatio = 0.0)
{
    /// <summary>Learning rate for optimizer step <paramref name="step"/> (0-based).</summary>
    public double At(int step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps) return PeakLr * (step + 1) / WarmupSteps;
        if (Decay == LrDecay.Constant || TotalSteps <= WarmupSteps) return PeakLr;
        var progress = Math.Clamp((double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps), 0, 1);
        var factor = Decay == LrDecay.Cosine ? 0.5 * (1 + Math.Cos(Math.PI * progress)) : 1 - progress;
        return PeakLr * (MinLrRatio + (1 - MinLrRatio) * factor);
    }
}
