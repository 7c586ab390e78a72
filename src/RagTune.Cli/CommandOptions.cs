using System.CommandLine;
using RagTune.Application;
using RagTune.Models;

namespace RagTune.Cli;

/// <summary>Options that several verbs share, so they read and mean the same everywhere.</summary>
internal static class CommandOptions
{
    /// <summary><c>--weights fp32|bf16|int8</c>: how a local model's projection weights are held for inference.</summary>
    public static Option<string> Weights()
    {
        var option = new Option<string>("--weights")
        {
            Description = "Local model's projection weights in memory: fp32 (exact), bf16 (half the bytes per token: faster decoding, " +
                          "logits within bf16 rounding) or int8 (blocks of 32 with a scale, 1.125 bytes per weight: faster still).",
            DefaultValueFactory = _ => "fp32",
        };
        option.AcceptOnlyFromAmong("fp32", "bf16", "int8");
        return option;
    }

    /// <summary><c>--mode bm25|dense|hybrid</c> (no default: the application layer's rule picks one).</summary>
    public static Option<string> Mode(string description)
    {
        var option = new Option<string>("--mode") { Description = description };
        option.AcceptOnlyFromAmong([.. RetrievalModes.Names]);
        return option;
    }

    /// <summary>The value of a <see cref="Mode"/> option (null when absent).</summary>
    public static RetrievalMode? ModeValue(string? value) => value is null ? null : RetrievalModes.Parse(value);

    /// <summary>The value of a <see cref="Weights"/> option.</summary>
    public static WeightPrecision Precision(string? value) => value switch
    {
        "bf16" => WeightPrecision.Bf16,
        "int8" => WeightPrecision.Int8,
        _ => WeightPrecision.Fp32,
    };

    /// <summary>
    /// How the verbs open models: <paramref name="weights"/>, and from the environment (read here only) the endpoint key
    /// <c>OPENAI_API_KEY</c> and <c>RAGTUNE_DECODE_KERNEL=0</c> (decode on libtorch instead of the C# kernel).
    /// </summary>
    public static ModelClientOptions ModelOptions(WeightPrecision weights = WeightPrecision.Fp32) => new()
    {
        Weights = weights,
        ApiKey = Environment.GetEnvironmentVariable("OPENAI_API_KEY"),
        DecodeKernel = Environment.GetEnvironmentVariable("RAGTUNE_DECODE_KERNEL") != "0",
    };
}
