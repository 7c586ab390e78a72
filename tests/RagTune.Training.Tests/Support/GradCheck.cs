using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RagTune.Training.Tests.Support;

/// <summary>Compares autograd gradients with central finite differences (float64) at a few entries per parameter.</summary>
public static class GradCheck
{
    /// <summary>Largest relative error over <paramref name="entriesPerParam"/> random entries of each parameter.</summary>
    public static (double MaxRel, string Where) Run(Func<Tensor> loss, IEnumerable<(string Name, Parameter P)> parameters, int entriesPerParam = 3, double eps = 1e-6)
    {
        var ps = parameters.ToList();
        foreach (var (_, p) in ps) p.grad?.zero_();
        loss().backward();
        var rng = new Random(3);
        double worst = 0;
        var where = "";
        foreach (var (name, p) in ps)
        {
            var grad = p.grad!.detach().clone().reshape(-1);
            var flat = p.detach().view(-1);   // shares storage with p
            for (var k = 0; k < entriesPerParam; k++)
            {
                var i = rng.Next((int)flat.numel());
                var orig = flat[i].item<double>();
                double Eval(double v) { using (no_grad()) { flat[i] = v; return loss().item<double>(); } }
                var fd = (Eval(orig + eps) - Eval(orig - eps)) / (2 * eps);
                using (no_grad()) flat[i] = orig;
                var ag = grad[i].item<double>();
                // Relative to the gradient's scale, with a floor so tiny gradients compare absolutely.
                var rel = Math.Abs(ag - fd) / Math.Max(Math.Max(Math.Abs(ag), Math.Abs(fd)), 1e-3);
                if (rel > worst) (worst, where) = (rel, $"{name}[{i}]: autograd {ag:E6} vs fd {fd:E6}");
            }
        }
        return (worst, where);
    }
}
