using RagTune.Models.Kernels;
using TorchSharp;

namespace RagTune.Models.Tests.Kernels;

/// <summary>What <see cref="NativeHeap.RetainFreedMemory"/> is for: a training-like step that allocates and frees megabytes stops page-faulting.</summary>
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
        var before = ThreadMinorFaults();
        for (var i = 0; i < 10; i++) Step();
        var faults = ThreadMinorFaults() - before;
        // Without the setting glibc hands freed memory back to the system (its trim threshold follows the largest block
        // freed, not the total), and steps fault their pages in again: 35,000 faults in these 10 steps here, against 5 with it.
        var pagesPerStep = (Activations * ActivationMiB + 5) * 256;
        Assert.True(faults < pagesPerStep / 10, $"{faults} page faults in 10 steps ({pagesPerStep} pages written per step)");
    }
}
