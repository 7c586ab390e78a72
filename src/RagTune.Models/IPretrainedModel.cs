using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models;

/// <summary>A model built from a Hugging Face config whose parameter names are the checkpoint's keys.</summary>
public interface IPretrainedModel : IDisposable
{
    /// <summary>The config the model was built from.</summary>
    ModelConfig Config { get; }

    /// <summary>The TorchSharp module (parameters, <c>state_dict</c>, train/eval).</summary>
    nn.Module Module { get; }

    /// <summary>The Hugging Face architecture name (e.g. <c>LlamaForCausalLM</c>).</summary>
    string Architecture { get; }

    /// <summary>Parameter type.</summary>
    ScalarType DType { get; }

    /// <summary>The transformer blocks, in order.</summary>
    IReadOnlyList<ITransformerBlock> Blocks { get; }

    /// <summary>Number of transformer blocks.</summary>
    int NumLayers { get; }

    /// <summary>
    /// Keys of <c>state_dict</c> that alias another parameter (tied weights) and are therefore neither saved nor
    /// required when loading (e.g. <c>lm_head.weight</c>).
    /// </summary>
    IReadOnlySet<string> TiedKeys { get; }

    /// <summary>When set, the model runs each block through this delegate (gradient checkpointing, tracing).</summary>
    BlockInvoker? BlockInvoker { get; set; }

    /// <summary>Maps a checkpoint key to this model's key, or null for a key to ignore (e.g. stale buffers).</summary>
    string? MapCheckpointKey(string checkpointKey);
}
