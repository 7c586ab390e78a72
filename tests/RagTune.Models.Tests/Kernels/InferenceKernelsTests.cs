using RagTune.Models.Kernels;
using static TorchSharp.torch;

namespace RagTune.Models.Tests.Kernels;

public class InferenceKernelsTests
{
    [Fact]
    public void AForwardScopeKeepsLibtorchOnTheCallingThreadAndTheKernelsOnTheTeamThenRestoresBoth()
    {
        if (!Sgemm.IsSupported || !TorchThreadLimit.IsAvailable || Environment.ProcessorCount < 2) return;
        // A thread of our own, so the test runner's threads keep their settings whatever happens here.
        var observed = new int?[4];
        DecodeTeam? inside = null, after = null;
        var thread = new Thread(() =>
        {
            using var two = TorchThreadLimit.Limit(2);
            observed[0] = TorchThreadLimit.CurrentThreads;
            using (no_grad())
            {
                Assert.Null(InferenceKernels.EnterForward(rows: 8)); // too short for the kernels: nothing changes
                using (InferenceKernels.EnterForward(rows: 64))
                {
                    observed[1] = TorchThreadLimit.CurrentThreads;
                    inside = InferenceKernels.Team;
                    Assert.Null(InferenceKernels.EnterForward(rows: 64)); // nested: the outer scope stays in charge
                }
                observed[2] = TorchThreadLimit.CurrentThreads;
                after = InferenceKernels.Team;
            }
            observed[3] = InferenceKernels.EnterForward(rows: 64) is null ? 0 : 1; // gradients on: training is untouched
        });
        thread.Start();
        thread.Join();
        Assert.Equal([2, 1, 2, 0], observed);
        Assert.Same(DecodeTeam.Shared, inside);
        Assert.Same(DecodeTeam.Shared, after);
    }

    [Fact]
    public void AThreadLimitedToOneKeepsTheKernelsOnItself()
    {
        if (!TorchThreadLimit.IsAvailable) return;
        DecodeTeam? team = DecodeTeam.Shared;
        var thread = new Thread(() =>
        {
            using var one = TorchThreadLimit.Limit(1);
            team = InferenceKernels.Team;
        });
        thread.Start();
        thread.Join();
        Assert.Null(team);
    }
}
