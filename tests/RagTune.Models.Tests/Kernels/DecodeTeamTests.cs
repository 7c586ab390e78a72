using RagTune.Models.Kernels;

namespace RagTune.Models.Tests.Kernels;

public class DecodeTeamTests
{
    [Fact]
    public void EveryItemRunsExactlyOnceInRangesOfAtLeastTheGrain()
    {
        using var team = new DecodeTeam(3);
        for (var phase = 0; phase < 2_000; phase++)
        {
            var (count, grain) = (1 + phase % 97, 1 + phase % 5);
            var runs = new int[count];
            var shortRanges = 0;
            team.Run(count, grain, (start, end) =>
            {
                if (end - start < grain && end != count) Interlocked.Increment(ref shortRanges);
                for (var i = start; i < end; i++) Interlocked.Increment(ref runs[i]);
            });
            Assert.All(runs, r => Assert.Equal(1, r));
            Assert.Equal(0, shortRanges);
        }
    }

    [Fact]
    public async Task HelpersThatParkedWakeUpForTheNextPhase()
    {
        using var team = new DecodeTeam(2);
        team.Run(8, 1, (_, _) => { });
        await Task.Delay(DecodeTeam.ParkAfter * 20); // long enough for the helper to park
        // Every chunk waits until two threads have taken part, so the phase ends early only if the helper woke up.
        var threads = new HashSet<int>();
        team.Run(4, 1, (_, _) =>
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
        var e = Assert.Throws<InvalidOperationException>(() => team.Run(32, 1, (start, end) =>
        {
            if (start <= 17 && 17 < end) throw new InvalidOperationException("item 17");
        }));
        Assert.Equal("item 17", e.Message);
        var count = 0;
        team.Run(32, 1, (start, end) => Interlocked.Add(ref count, end - start));
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
                team.Run(8, 1, (start, end) => { for (var i = start; i < end; i++) sums[i] += i + 1; });
                Assert.Equal(36, sums.Sum());
            }
        })).ToArray();
        await Task.WhenAll(callers);
    }
}
