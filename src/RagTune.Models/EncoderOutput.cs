using static TorchSharp.torch;

namespace RagTune.Models;

/// <summary>An encoder's outputs.</summary>
/// <param name="LastHiddenState">(B, T, H).</param>
/// <param name="PoolerOutput">(B, H), or null when the model has no pooler.</param>
public sealed record EncoderOutput(Tensor LastHiddenState, Tensor? PoolerOutput) : IDisposable
{
    /// <summary>Disposes both tensors.</summary>
    public void Dispose()
    {
        LastHiddenState.Dispose();
        PoolerOutput?.Dispose();
    }
}
