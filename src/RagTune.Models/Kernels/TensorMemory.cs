using TorchSharp;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace RagTune.Models.Kernels;

/// <summary>Raw data pointers of contiguous CPU tensors, for the hand-written decode kernels.</summary>
public static unsafe partial class TensorMemory
{
    // TorchSharp keeps its data-pointer export internal; the native symbol is stable across 0.10x releases.
    [LibraryImport("LibTorchSharp")]
    private static partial IntPtr THSTensor_data(IntPtr handle);

    /// <summary>Address of the first element; the tensor must be contiguous, on the CPU and kept alive by the caller.</summary>
    public static T* Pointer<T>(Tensor t) where T : unmanaged
    {
        if (t.device_type != DeviceType.CPU || !t.is_contiguous())
            throw new ArgumentException($"expected a contiguous CPU tensor, got {t.device} with strides [{string.Join(',', t.stride())}]");
        var p = THSTensor_data(t.Handle);
        if (p == IntPtr.Zero) CheckForErrors();
        return (T*)p;
    }
}
