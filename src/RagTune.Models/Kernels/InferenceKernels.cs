using static TorchSharp.torch;

namespace RagTune.Models.Kernels;

/// <summary>
/// Which threads the hand-written inference kernels (<see cref="Sgemm"/> projections, <see cref="AttentionKernel"/>)
/// run on, and a scope for a model forward that leaves them the cores.
/// <para>
/// Why the scope: between the kernels, libtorch runs the light ops (norms, activations, residual adds, copies) on its
/// OpenMP pool, whose workers then spin for a while waiting for the next op — on the very cores the kernels' team
/// needs. Measured on 2 cores, an encoder batch (MiniLM, 32 × 105 tokens): 403 ms with both pools, 289 ms with
/// libtorch kept on the calling thread during the forward. The scope is per thread (<see cref="TorchThreadLimit"/>),
/// so nothing process-wide changes and concurrent forwards do not affect each other.
/// </para>
/// </summary>
public static class InferenceKernels
{
    [ThreadStatic] static DecodeTeam? t_team;
    [ThreadStatic] static bool t_inScope;

    /// <summary>
    /// The team for a kernel called on this thread: the one captured by <see cref="EnterForward"/> inside its scope,
    /// else <see cref="DecodeTeam.Shared"/>, or null (the calling thread alone) when libtorch is limited to one thread
    /// here (<see cref="TorchThreadLimit"/>) — a caller running batches side by side, one thread each, would otherwise
    /// get two threads per batch, more threads than cores.
    /// </summary>
    public static DecodeTeam? Team => t_inScope ? t_team : OutsideScope();

    static DecodeTeam? OutsideScope() => TorchThreadLimit.CurrentThreads == 1 ? null : DecodeTeam.Shared;

    /// <summary>
    /// For a forward of <paramref name="rows"/> tokens at inference that the kernels will carry (AVX-512, at least
    /// <see cref="Nn.FloatProjection.MinRows"/> tokens, gradients off): keeps libtorch on the calling thread until
    /// disposed while the kernels keep the team. Null when nothing changes (training, short inputs, no AVX-512, a
    /// thread already limited to one, or already inside a scope).
    /// </summary>
    public static IDisposable? EnterForward(long rows)
    {
        if (t_inScope || is_grad_enabled() || !Sgemm.IsSupported || rows < Nn.FloatProjection.MinRows) return null;
        if (OutsideScope() is not { Size: > 1 } team) return null;
        if (TorchThreadLimit.Limit(1) is not { } limit) return null;
        (t_team, t_inScope) = (team, true);
        return new Scope(limit);
    }

    sealed class Scope(IDisposable limit) : IDisposable
    {
        bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            (t_team, t_inScope) = (null, false);
            limit.Dispose();
        }
    }
}
