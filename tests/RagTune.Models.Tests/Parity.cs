using RagTune.Models.SafeTensors;
using RagTune.Tests;
using static TorchSharp.torch;

namespace RagTune.Models.Tests;

/// <summary>Reference tensors of a parity fixture and tolerance checks that report the max difference.</summary>
internal sealed class Parity : IDisposable
{
    public const double Tolerance = 1e-4;

    public Parity(string name)
    {
        Dir = TestPaths.Parity(name);
        Tensors = SafeTensorsFile.LoadAll(Path.Combine(Dir, "reference.safetensors"));
        foreach (var t in Tensors.Values) t.DetachFromDisposeScope();
    }

    public string Dir { get; }
    public Dictionary<string, Tensor> Tensors { get; }
    public Tensor this[string name] => Tensors[name];

    /// <summary>Max |a − e| over positions where <paramref name="mask"/> (B, T) is 1 (all positions without a mask).</summary>
    public static double MaxAbsDiff(Tensor actual, Tensor expected, Tensor? mask = null)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scope = NewDisposeScope();
        var diff = (actual.to_type(ScalarType.Float32) - expected.to_type(ScalarType.Float32)).abs();
        if (mask is not null)
        {
            var m = mask.to_type(ScalarType.Float32);
            while (m.dim() < diff.dim()) m = m.unsqueeze(-1);
            diff = diff * m;
        }
        return diff.max().item<float>();
    }

    public static void AssertClose(Tensor actual, Tensor expected, Tensor? mask = null, double tolerance = Tolerance, string what = "")
    {
        var d = MaxAbsDiff(actual, expected, mask);
        Assert.True(d <= tolerance, $"{what}: max |Δ| = {d:E3} exceeds {tolerance:E1}");
    }

    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
    }
}
