using TorchSharp;
using Modules = TorchSharp.Modules;
using static TorchSharp.torch;

namespace RagTune.Models;

/// <summary>
/// Base of the architectures: a TorchSharp module built from a <see cref="ModelConfig"/>, with parameters named as the
/// Hugging Face checkpoint keys. Parameters start uninitialised; <see cref="ModelLoader"/> fills them from a checkpoint
/// and <see cref="InitializeWeights"/> draws random ones.
/// </summary>
public abstract class PretrainedModel : nn.Module, IPretrainedModel
{
    /// <summary>Creates the base.</summary>
    protected PretrainedModel(string architecture, ModelConfig config, ScalarType dtype) : base(architecture)
    {
        ArgumentNullException.ThrowIfNull(config);
        Architecture = architecture;
        Config = config;
        DType = dtype;
    }

    /// <inheritdoc/>
    public ModelConfig Config { get; }

    /// <inheritdoc/>
    public string Architecture { get; }

    /// <inheritdoc/>
    public ScalarType DType { get; }

    /// <inheritdoc/>
    public nn.Module Module => this;

    /// <inheritdoc/>
    public abstract IReadOnlyList<ITransformerBlock> Blocks { get; }

    /// <inheritdoc/>
    public int NumLayers => Blocks.Count;

    /// <inheritdoc/>
    public virtual IReadOnlySet<string> TiedKeys { get; } = new HashSet<string>();

    /// <inheritdoc/>
    public BlockInvoker? BlockInvoker { get; set; }

    /// <inheritdoc/>
    public virtual string? MapCheckpointKey(string checkpointKey) => checkpointKey;

    /// <summary>Runs <paramref name="block"/> directly or through <see cref="BlockInvoker"/>.</summary>
    protected Tensor RunBlock(ITransformerBlock block, Tensor hidden, BlockContext context) =>
        BlockInvoker is { } invoke ? invoke(block, hidden, context) : block.Forward(hidden, context);

    /// <summary>
    /// Fills every parameter with random values as the HF initialisers do: norms' gains 1, biases 0, everything else
    /// N(0, <paramref name="std"/>) (<c>initializer_range</c> from the config when null). Deterministic for a seed.
    /// </summary>
    public void InitializeWeights(long seed = 0, double? std = null)
    {
        var sigma = std ?? Config.GetDouble("initializer_range") ?? 0.02;
        using var gen = new Generator((ulong)seed);
        using var _ = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (TiedKeys.Contains(name)) continue;
            var leaf = name[(name.LastIndexOf('.') + 1)..];
            var isNorm = name.Contains("norm", StringComparison.OrdinalIgnoreCase) || name.Contains(".ln_") || name.StartsWith("ln_") || name.Contains("ln_f");
            if (leaf == "bias") p.zero_();
            else if (isNorm) p.fill_(1.0);
            else p.normal_(0, sigma, gen);
        }
    }
}
