using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Models.Nn;

/// <summary>Activation functions by their Hugging Face config names (<c>hidden_act</c>, <c>activation_function</c>).</summary>
public static class Activations
{
    /// <summary>Supported names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["gelu", "gelu_new", "gelu_pytorch_tanh", "relu", "silu", "swish", "tanh"];

    /// <summary>The function for <paramref name="name"/>: gelu = exact (erf); gelu_new / gelu_pytorch_tanh = tanh approximation.</summary>
    public static Func<Tensor, Tensor> Get(string name, string? source = null) => name switch
    {
        "gelu" => x => nn.functional.gelu(x),
        "gelu_new" or "gelu_pytorch_tanh" => x => nn.functional.gelu(x, TorchSharp.Modules.GELU.Approximate.tanh),
        "relu" => x => nn.functional.relu(x),
        "silu" or "swish" => x => nn.functional.silu(x),
        "tanh" => x => x.tanh(),
        _ => throw new ModelLoadException($"{source ?? "config.json"}: activation '{name}' is not supported (supported: {string.Join(", ", Names)}).", source),
    };
}
