using System.Runtime.CompilerServices;

namespace RagTune.Evaluation.Tests.Support;

static class SingleThreadTorch
{
    /// <summary>
    /// Tiny models gain nothing from intra-op threads, and on the shared 2-core CI machine libtorch's thread pool
    /// oversubscribes badly (measured: 39 steps took 61 s with the default, 7 s with one thread). Set once when the test
    /// process starts, before any test runs: <c>DemoRunner</c> no longer sets the process's thread count itself.
    /// </summary>
    [ModuleInitializer]
    internal static void Init() => TorchSharp.torch.set_num_threads(1);
}
