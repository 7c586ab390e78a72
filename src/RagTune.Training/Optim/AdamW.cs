using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace RagTune.Training.Optim;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter, https://arxiv.org/abs/1711.05101) with two parameter groups: decoupled weight decay
/// on matrices, none on norms, biases and embeddings. Written here rather than using TorchSharp's so that the moments
/// are plain named tensors that checkpoints save and restore exactly. The update matches <c>torch.optim.AdamW</c>.
/// </summary>
public sealed class AdamW : IDisposable
{
    readonly List<(string Name, Parameter Param, bool Decay)> _params;
    readonly Dictionary<string, (Tensor M, Tensor V)> _state = new(StringComparer.Ordinal);

    /// <summary>Exponential decay of the first and second moments.</summary>
    public double Beta1 { get; init; } = 0.9;
    /// <inheritdoc cref="Beta1"/>
    public double Beta2 { get; init; } = 0.999;
    /// <summary>Added to the denominator for stability.</summary>
    public double Eps { get; init; } = 1e-8;
    /// <summary>Decoupled weight decay for the decayed group.</summary>
    public double WeightDecay { get; init; }
    /// <summary>Optimizer steps taken (bias correction uses it).</summary>
    public int StepCount { get; private set; }

    /// <summary>Groups the trainable parameters of <paramref name="named"/> by <see cref="Decays"/>.</summary>
    public AdamW(IEnumerable<(string Name, Parameter Param)> named, double weightDecay)
    {
        WeightDecay = weightDecay;
        _params = named.Where(p => p.Param.requires_grad).Select(p => (p.Name, p.Param, Decays(p.Name, p.Param))).ToList();
    }

    /// <summary>Names of parameters in the decayed and undecayed groups.</summary>
    public (IReadOnlyList<string> Decayed, IReadOnlyList<string> NotDecayed) Groups =>
        (_params.Where(p => p.Decay).Select(p => p.Name).ToList(), _params.Where(p => !p.Decay).Select(p => p.Name).ToList());

    /// <summary>
    /// Weight decay applies to weight matrices only: 1-D tensors (norm scales, biases) and embedding tables are
    /// excluded, as in nanoGPT / HF Trainer, because shrinking them hurts rather than regularises.
    /// </summary>
    public static bool Decays(string name, Tensor p)
    {
        if (p.dim() < 2) return false;
        var n = name.ToLowerInvariant();
        return !(n.Contains("embed") || n.Contains(".wte.") || n.Contains(".wpe.") || n.StartsWith("wte.") || n.StartsWith("wpe.")
                 || n.Contains("norm") || n.Contains("ln_"));
    }

    /// <summary>One update with learning rate <paramref name="lr"/>; parameters without a gradient are skipped.</summary>
    public void Step(double lr)
    {
        StepCount++;
        var bc1 = 1 - Math.Pow(Beta1, StepCount);
        var bc2 = 1 - Math.Pow(Beta2, StepCount);
        using var _ = no_grad();
        foreach (var (name, p, decay) in _params)
        {
            var g = p.grad;
            if (g is null) continue;
            if (!_state.TryGetValue(name, out var s))
                _state[name] = s = (zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope());
            using var scope = NewDisposeScope();
            if (decay && WeightDecay > 0) p.mul_(1 - lr * WeightDecay);
            s.M.mul_(Beta1).add_(g, alpha: 1 - Beta1);
            s.V.mul_(Beta2).addcmul_(g, g, value: 1 - Beta2);
            var denom = s.V.sqrt().div_(Math.Sqrt(bc2)).add_(Eps);   // one temporary per parameter, not two
            p.addcdiv_(s.M, denom, value: -lr / bc1);
        }
    }

    /// <summary>Clears the gradients of every managed parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p, _) in _params)
            if (p.grad is { } g) { g.zero_(); }
    }

    /// <summary>The moments as named tensors (<c>name.exp_avg</c>, <c>name.exp_avg_sq</c>) for a checkpoint.</summary>
    public Dictionary<string, Tensor> StateTensors()
    {
        var d = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, (m, v)) in _state) { d[name + ".exp_avg"] = m; d[name + ".exp_avg_sq"] = v; }
        return d;
    }

    /// <summary>Restores moments and the step count saved by <see cref="StateTensors"/>.</summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, int stepCount)
    {
        StepCount = stepCount;
        foreach (var (name, p, _) in _params)
        {
            if (!tensors.TryGetValue(name + ".exp_avg", out var m) || !tensors.TryGetValue(name + ".exp_avg_sq", out var v)) continue;
            if (_state.Remove(name, out var old)) { old.M.Dispose(); old.V.Dispose(); }
            _state[name] = (m.to(p.dtype).clone().DetachFromDisposeScope(), v.to(p.dtype).clone().DetachFromDisposeScope());
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var (m, v) in _state.Values) { m.Dispose(); v.Dispose(); }
        _state.Clear();
    }
}
