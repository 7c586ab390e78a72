using RagTune.Models.Kernels;

namespace RagTune.Models.Tests.Kernels;

public class WorkerPairTests
{
    /// <summary>
    /// A Run() issued right after construction, before the helper threads were first scheduled, must still be
    /// picked up by them (it once hung the test host intermittently).
    /// </summary>
    [Fact]
    public void RunImmediatelyAfterConstructionCompletesEveryPart()
    {
        for (var i = 0; i < 500; i++)
        {
            var done = new int[3];
            var run = Task.Run(() =>
            {
                var pool = new WorkerPair(3); // not disposed when a part is lost: Dispose would join a stuck helper
                pool.Run((part, parts) => Interlocked.Increment(ref done[part]));
                pool.Dispose();
            });
            Assert.True(run.Wait(TimeSpan.FromSeconds(20)), $"iteration {i}: Run did not return");
            Assert.Equal(new[] { 1, 1, 1 }, done);
        }
    }
}
