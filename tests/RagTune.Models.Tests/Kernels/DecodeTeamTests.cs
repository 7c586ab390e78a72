using RagTune.Models.Kernels;

namespace RagTune.Models.Tests.Kernels;

public class DecodeTeamTests
{
    [Fact]
    public void EveryChunkRunsExactlyOnceAcrossManyPhases()
    {
        using var team = new DecodeTeam(3);
        for (var phase = 0; phase < 2_000; phase++)
        {
            var chunks = 1 + phase % 17;
            var runs = new int[chunks];
            team.Run(chunks, i => Interlocked.Increment(ref runs[i]));
            Assert.All(runs, r => Assert.Equal(1, r));
        }
    }

    [Fact]
    public async Task HelpersThatParkedWakeUpForTheNextPhase()
    {
        using var team = new DecodeTeam(2);
        team.Run(8, _ => { });
        await Task.Delay(DecodeTeam.ParkAfter * 20); // long enough for the helper to park
        // Every chunk waits until two threads have taken part, so the phase ends early only if the helper woke up.
        var threads = new HashSet<int>();
        team.Run(4, _ =>
        {
            lock (threads) threads.Add(Environment.CurrentManagedThreadId);
            SpinWait.SpinUntil(() => { lock (threads) return threads.Count >= 2; }, TimeSpan.FromSeconds(10));
        });
        Assert.Equal(2, threads.Count);
    }

    [Fact]
    public void AChunkFailureReachesTheCallerAndTheTeamStaysUsable()
    {
        using var team = new DecodeTeam(2);
        var e = Assert.Throws<InvalidOperationException>(() => team.Run(32, i =>
        {
            if (i == 17) throw new InvalidOperationException("chunk 17");
        }));
        Assert.Equal("chunk 17", e.Message);
        var count = 0;
        team.Run(32, _ => Interlocked.Increment(ref count));
        Assert.Equal(32, count);
    }

    [Fact]
    public async Task ConcurrentCallersEachGetAllTheirChunks()
    {
        using var team = new DecodeTeam(2);
        var callers = Enumerable.Range(0, 4).Select(c => Task.Run(() =>
        {
            for (var phase = 0; phase < 300; phase++)
            {
                var sums = new long[8];
                team.Run(8, i => sums[i] += i + 1);
                Assert.Equal(36, sums.Sum());
            }
        })).ToArray();
        await Task.WhenAll(callers);
    }
}
