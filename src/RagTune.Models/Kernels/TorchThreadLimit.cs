using System.Diagnostics;
using System.Runtime.InteropServices;

namespace RagTune.Models.Kernels;

/// <summary>
/// Sets how many threads libtorch's ops use when called from the current thread, and only from it. libtorch (OpenMP
/// build) sizes each op's parallel region from the calling thread's OpenMP thread count (an OpenMP per-thread setting)
/// and MKL's GEMMs from MKL's thread-local count; both are set here through the libraries libtorch already loaded, so
/// no process-wide state changes (unlike <c>torch.set_num_threads</c>, which also rewrites the default every new
/// thread starts from). The returned scope restores the thread's previous counts, so a pool thread is handed back as
/// it was found.
/// <para>
/// Why: several batches each on one thread need no synchronisation between ops, where one batch on libtorch's
/// intra-op pool meets a barrier after every op — an idle core waits for the slowest, and on a shared machine a
/// descheduled thread stalls them all.
/// </para>
/// </summary>
internal static unsafe class TorchThreadLimit
{
    sealed record Functions(IntPtr OmpSet, IntPtr OmpGet, IntPtr MklSetLocal);

    static readonly Lazy<Functions?> Resolved = new(Resolve);

    /// <summary>Whether the OpenMP runtime libtorch uses was found (false: libtorch's own thread count applies).</summary>
    public static bool IsAvailable => Resolved.Value is not null;

    /// <summary>
    /// Limits libtorch on this thread to <paramref name="threads"/> intra-op threads until the scope is disposed; null
    /// when the limit cannot be applied (<see cref="IsAvailable"/> false).
    /// </summary>
    public static IDisposable? Limit(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        if (Resolved.Value is not { } f) return null;
        // libtorch sets the thread's counts lazily on its first op there; force that now so it cannot undo ours later.
        TorchSharp.torch.get_num_threads();
        var previousOmp = ((delegate* unmanaged<int>)f.OmpGet)();
        ((delegate* unmanaged<int, void>)f.OmpSet)(threads);
        // MKL_Set_Num_Threads_Local returns the previous thread-local count (0 = none, MKL's global count applies).
        var previousMkl = f.MklSetLocal == IntPtr.Zero ? 0 : ((delegate* unmanaged<int, int>)f.MklSetLocal)(threads);
        return new Restore(f, previousOmp, previousMkl);
    }

    /// <summary>
    /// libtorch's thread count on the calling thread (its OpenMP count), or null when unknown (<see cref="IsAvailable"/>
    /// false). The hand-written kernels follow it: a thread limited to one keeps them on itself too.
    /// </summary>
    public static int? CurrentThreads => Resolved.Value is { } f ? ((delegate* unmanaged<int>)f.OmpGet)() : null;

    sealed class Restore(Functions f, int omp, int mkl) : IDisposable
    {
        int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            ((delegate* unmanaged<int, void>)f.OmpSet)(omp);
            if (f.MklSetLocal != IntPtr.Zero) ((delegate* unmanaged<int, int>)f.MklSetLocal)(mkl);
        }
    }

    /// <summary>
    /// Finds omp_set/get_num_threads in the OpenMP runtime loaded beside libtorch_cpu (another copy, e.g. a system
    /// libgomp loaded by some other native library, has its own settings) and MKL's thread-local setter in libtorch_cpu.
    /// </summary>
    static Functions? Resolve()
    {
        TorchSharp.torch.get_num_threads(); // loads libtorch and its OpenMP runtime
        using var process = Process.GetCurrentProcess();
        var paths = process.Modules.Cast<ProcessModule>().Select(m => m.FileName).Where(f => !string.IsNullOrEmpty(f)).Distinct().ToList();
        var torchCpu = paths.FirstOrDefault(f => Path.GetFileName(f).Contains("torch_cpu", StringComparison.OrdinalIgnoreCase));
        if (torchCpu is null) return null;
        var openMp = paths.Where(f => Path.GetFileName(f) is var n && (n.Contains("gomp", StringComparison.OrdinalIgnoreCase) || n.Contains("iomp", StringComparison.OrdinalIgnoreCase)))
            .OrderBy(f => Path.GetDirectoryName(f) == Path.GetDirectoryName(torchCpu) ? 0 : 1).FirstOrDefault();
        if (openMp is null || !NativeLibrary.TryLoad(openMp, out var omp) ||
            !NativeLibrary.TryGetExport(omp, "omp_set_num_threads", out var set) || !NativeLibrary.TryGetExport(omp, "omp_get_max_threads", out var get)) return null;
        // The C entry point: mkl_set_num_threads_local is the Fortran one (argument by pointer).
        var mkl = NativeLibrary.TryLoad(torchCpu, out var torch) && NativeLibrary.TryGetExport(torch, "MKL_Set_Num_Threads_Local", out var m) ? m : IntPtr.Zero;
        return new Functions(set, get, mkl);
    }
}
