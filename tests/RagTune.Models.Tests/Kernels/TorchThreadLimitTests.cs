using RagTune.Models.Kernels;
using static TorchSharp.torch;

namespace RagTune.Models.Tests.Kernels;

public sealed class TorchThreadLimitTests
{
    [Fact]
    public void LimitsOnlyTheCallingThreadAndRestoresIt()
    {
        Assert.True(TorchThreadLimit.IsAvailable || !OperatingSystem.IsLinux(), "libtorch's OpenMP runtime was not found on Linux");
        if (!TorchThreadLimit.IsAvailable) return;
        int before = 0, inside = 0, after = 0, other = 0, otherDefault = 0;
        float limited = 0, unlimited = 0;
        var worker = new Thread(() =>
        {
            before = get_num_threads();
            using (TorchThreadLimit.Limit(1))
            {
                inside = get_num_threads();
                // A second thread started meanwhile keeps libtorch's default.
                var peer = new Thread(() => other = get_num_threads());
                peer.Start();
                peer.Join();
                using var a = arange(0, 4096, ScalarType.Float32).view(64, 64).div_(4096);
                limited = a.matmul(a).sum().item<float>();
            }
            after = get_num_threads();
            using var b = arange(0, 4096, ScalarType.Float32).view(64, 64).div_(4096);
            unlimited = b.matmul(b).sum().item<float>();
        });
        worker.Start();
        worker.Join();
        var reference = new Thread(() => otherDefault = get_num_threads());
        reference.Start();
        reference.Join();
        Assert.Equal(1, inside);
        Assert.Equal(before, after);
        Assert.Equal(otherDefault, other);
        Assert.Equal(unlimited, limited, 1e-3f); // ops run (and agree) under the limit
    }
}
