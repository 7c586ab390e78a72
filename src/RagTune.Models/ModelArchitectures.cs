using RagTune.Models.Architectures.Bert;
using RagTune.Models.Architectures.Gpt2;
using RagTune.Models.Architectures.Llama;
using static TorchSharp.torch;

namespace RagTune.Models;

/// <summary>The Hugging Face architecture names this engine builds, and the default per <c>model_type</c>.</summary>
public static class ModelArchitectures
{
    static readonly Dictionary<string, Func<ModelConfig, ScalarType, PretrainedModel>> Factories = new(StringComparer.Ordinal)
    {
        ["LlamaForCausalLM"] = (c, d) => new LlamaForCausalLM(c, d, "LlamaForCausalLM"),
        ["MistralForCausalLM"] = (c, d) => new LlamaForCausalLM(c, d, "MistralForCausalLM"),
        ["Qwen2ForCausalLM"] = (c, d) => new LlamaForCausalLM(c, d, "Qwen2ForCausalLM"),
        ["LlamaForSequenceClassification"] = (c, d) => new LlamaForSequenceClassification(c, d, "LlamaForSequenceClassification"),
        ["MistralForSequenceClassification"] = (c, d) => new LlamaForSequenceClassification(c, d, "MistralForSequenceClassification"),
        ["Qwen2ForSequenceClassification"] = (c, d) => new LlamaForSequenceClassification(c, d, "Qwen2ForSequenceClassification"),
        ["GPT2LMHeadModel"] = (c, d) => new GPT2LMHeadModel(c, d),
        // "add_pooling_layer": false (written by the ONNX importer when the export has no pooler) builds it without one.
        ["BertModel"] = (c, d) => new BertModel(c, d, addPoolingLayer: c.GetBool("add_pooling_layer") ?? true),
        ["BertForMaskedLM"] = (c, d) => new BertModel(c, d, addPoolingLayer: false),
        ["BertForPreTraining"] = (c, d) => new BertModel(c, d),
        ["BertForSequenceClassification"] = (c, d) => new BertForSequenceClassification(c, d),
    };

    static readonly Dictionary<string, string> DefaultByModelType = new(StringComparer.Ordinal)
    {
        ["llama"] = "LlamaForCausalLM",
        ["mistral"] = "MistralForCausalLM",
        ["qwen2"] = "Qwen2ForCausalLM",
        ["gpt2"] = "GPT2LMHeadModel",
        ["bert"] = "BertModel",
    };

    /// <summary>Every supported architecture name.</summary>
    public static IReadOnlyCollection<string> Supported => Factories.Keys;

    internal static void Register(string name, Func<ModelConfig, ScalarType, PretrainedModel> factory) => Factories[name] = factory;

    /// <summary>The architecture to build for <paramref name="config"/>: the first supported entry of <c>architectures</c>, else the model type's default.</summary>
    public static string Resolve(ModelConfig config, string? requested = null)
    {
        if (requested is not null)
            return Factories.ContainsKey(requested)
                ? requested
                : throw new ModelLoadException($"Architecture '{requested}' is not supported. Supported: {string.Join(", ", Factories.Keys.Order())}.", config.Source);
        foreach (var a in config.Architectures)
            if (Factories.ContainsKey(a)) return a;
        if (DefaultByModelType.TryGetValue(config.ModelType, out var d) && Factories.ContainsKey(d)) return d;
        throw new ModelLoadException(
            $"{config.Source ?? "config.json"}: none of the architectures [{string.Join(", ", config.Architectures)}] is supported. Supported: {string.Join(", ", Factories.Keys.Order())}.",
            config.Source);
    }

    /// <summary>Builds an architecture with uninitialised parameters (fill them with a loader or <see cref="PretrainedModel.InitializeWeights"/>).</summary>
    public static PretrainedModel Create(ModelConfig config, string? architecture = null, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(config);
        var name = Resolve(config, architecture);
        var model = Factories[name](config, dtype);
        model.eval();
        return model;
    }
}
