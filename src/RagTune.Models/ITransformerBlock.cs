using static TorchSharp.torch;

namespace RagTune.Models;

/// <summary>
/// One transformer block of a model (a Llama decoder layer, a GPT-2 block, a BERT layer): hidden (B, T, H) → (B, T, H).
/// Exposed so that a trainer can wrap blocks (e.g. gradient checkpointing via <see cref="IPretrainedModel.BlockInvoker"/>).
/// </summary>
public interface ITransformerBlock
{
    /// <summary>Runs the block.</summary>
    Tensor Forward(Tensor hidden, BlockContext context);
}
