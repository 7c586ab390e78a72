using RagTune.Models;
using RagTune.Models.Hub;
using RagTune.Models.Onnx;

namespace RagTune.Application;

/// <summary>How <see cref="ModelClients"/> opens a model: local weights' precision and kernel, hub and endpoint settings.</summary>
public sealed record ModelClientOptions
{
    /// <summary>Local models: projection weights held as fp32 (default), bf16 or int8 blocks.</summary>
    public WeightPrecision Weights { get; init; } = WeightPrecision.Fp32;

    /// <summary>Local Llama-family models: run cached decode steps on the C# kernel when it applies (default) or always on libtorch.</summary>
    public bool DecodeKernel { get; init; } = true;

    /// <summary>OpenAI-compatible endpoints: the API key (null: none is sent; servers that need none accept any).</summary>
    public string? ApiKey { get; init; }

    /// <summary>Hub repo ids: where to download from and cache (null: <see cref="HubOptions.FromEnvironment"/>).</summary>
    public HubOptions? Hub { get; init; }

    /// <summary>Hub repo ids: branch, tag or commit.</summary>
    public string Revision { get; init; } = "main";

    /// <summary>Hub repo ids: use the cache only, never the network.</summary>
    public bool Offline { get; init; }

    /// <summary>Built-in encoders (<c>minilm</c>, <c>arctic-xs</c>): where the converted folders are cached; hears about a first conversion.</summary>
    public EmbeddingModelCacheOptions? EmbeddingCache { get; init; }
}
