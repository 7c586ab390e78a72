using RagTune.Models.Kernels;
using TorchSharp;

namespace RagTune.Models.Tests.Kernels;

/// <summary>
/// Runs alone: glibc shares its malloc arenas between threads, so another test allocating and freeing in the same
/// arena at the same time could split or reuse this thread's retained memory.
/// </summary>
[CollectionDefinition(nameof(NativeHeapTests), DisableParallelization = true)]
public sealed class NativeHeapCollection;

/// <summary>What <see cref="NativeHeap.RetainFreedMemory"/> is for: a training-like step that allocates and frees megabytes stops page-faulting.</summary>
[Collection(nameof(NativeHeapTests))]
public class NativeHeapTests
{
    /// <summary>Minor page faults of the calling thread so far (other tests' threads do not count).</summary>
    static long ThreadMinorFaults() =>
        long.Parse(File.ReadAllText("/proc/thread-self/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[7]);

    const int Activations = 40, ActivationMiB = 3;

    /// <summary>
    /// One "step" as a training step allocates: many activations kept alive for the backward pass (40 × 3 MiB) and a
    /// larger one (5 MiB), all written, then all freed.
    /// </summary>
    static void Step()
    {
        using var scope = torch.NewDisposeScope();
        for (var i = 0; i < Activations; i++) torch.ones(ActivationMiB << 18);
        torch.ones(5 << 18);
    }

    [Fact]
    public void RetainFreedMemory_RepeatedStepsStopFaultingInFreshPages()
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.True(NativeHeap.RetainFreedMemory());
        using var single = TorchThreadLimit.Limit(1); // the writes happen on this thread, where the faults are counted
        Step(); // the first steps after the switch still grow the heap
        Step();
        // No garbage collection inside the measurement: it would run on this thread and fault in managed-heap pages.
        Assert.True(GC.TryStartNoGCRegion(32 << 20));
        var faults = new long[20];
        try
        {
            for (var i = 0; i < faults.Length; i++)
            {
                var before = ThreadMinorFaults();
                Step();
                faults[i] = ThreadMinorFaults() - before;
            }
        }
        finally
        {
            if (System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        }
        // Without the setting glibc hands freed memory back to the system (its trim threshold follows the largest block
        // freed, not the total), and every other step faults a third of its pages in again (measured here: 2,821,
        // 1,284, 5, 2,053, 5, 1,285, 5, 1,285, …); with it, steps fault about nothing. The arena this thread shares with
        // other threads may still grow once (one step of ~3,300 faults was seen after other tests had used it), so up
        // to two faulting steps are allowed, not the ten of twenty without the setting.
        var pagesPerStep = (Activations * ActivationMiB + 5) * 256;
        var faulting = faults.Count(f => f > pagesPerStep / 32);
        Assert.True(faulting <= 2, $"{faulting} of {faults.Length} steps page-faulted more than {pagesPerStep / 32} pages ({string.Join(", ", faults)}; {pagesPerStep} written per step)");
    }
}
