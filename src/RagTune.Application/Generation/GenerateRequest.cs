using RagTune.Models.Generation;

namespace RagTune.Application;

/// <summary>A continuation of a prompt (text or token ids) by a local decoder.</summary>
public sealed record GenerateRequest
{
    /// <summary>Model folder (full or LoRA adapter) or hub repo id <c>org/name</c>.</summary>
    public required string Model { get; init; }
    /// <summary>Prompt text (encoded with the model's tokenizer); exactly one of this and <see cref="PromptIds"/>.</summary>
    public string? Prompt { get; init; }
    /// <summary>Prompt token ids.</summary>
    public IReadOnlyList<int>? PromptIds { get; init; }
    /// <summary>Wrap <see cref="Prompt"/> as a user message in the model's chat template.</summary>
    public bool Chat { get; init; }
    /// <summary>Sampling, length and seed (stop ids come from the model's generation_config.json).</summary>
    public GenerationOptions Options { get; init; } = new();
    /// <summary>Weights, kernel and hub settings.</summary>
    public ModelClientOptions? ModelOptions { get; init; }
}
