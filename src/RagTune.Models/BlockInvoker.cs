using static TorchSharp.torch;

namespace RagTune.Models;

/// <summary>Runs one block on behalf of a model (the default calls <see cref="ITransformerBlock.Forward"/>).</summary>
public delegate Tensor BlockInvoker(ITransformerBlock block, Tensor hidden, BlockContext context);
