using static TorchSharp.torch;

namespace RagTune.Training;

/// <summary>
/// A module whose forward draws random numbers (dropout masks). The <see cref="Trainer"/> hands every such module
/// of the model its run's own seeded <see cref="Generator"/> for the length of <see cref="Trainer.Train"/>, so a
/// seeded run never reads the process-wide torch RNG and two runs in one process do not disturb each other.
/// </summary>
public interface IRandomizedModule
{
    /// <summary>
    /// The generator the forward draws from. When null (outside a <see cref="Trainer"/> run), the module draws from
    /// libtorch's default generator and the draws are not reproducible.
    /// </summary>
    Generator? Generator { get; set; }
}
