using RagTune.Training.Data;
using RagTune.Training.Lora;

namespace RagTune.Training;

/// <summary>A complete fine-tuning job as the CLI describes it: model, data, method and the trainer's options.</summary>
public sealed record FineTuneOptions
{
    /// <summary>Hugging Face model folder (config.json, model.safetensors, tokenizer files).</summary>
    public required string ModelDir { get; init; }
    /// <summary>Training JSONL.</summary>
    public required string DataPath { get; init; }
    /// <summary>Eval JSONL; when null, <see cref="EvalFraction"/> of the training data is held out.</summary>
    public string? EvalPath { get; init; }
    /// <summary>Held-out fraction when no eval file is given (0 = no evaluation).</summary>
    public double EvalFraction { get; init; }
    /// <summary>The task.</summary>
    public TrainingTask Task { get; init; } = TrainingTask.Causal;
    /// <summary>Full or LoRA.</summary>
    public FineTuneMethod Method { get; init; } = FineTuneMethod.Lora;
    /// <summary>LoRA settings (targets: null = the model family's attention query/value projections).</summary>
    public LoraConfig? Lora { get; init; }
    /// <summary>Longest sequence in tokens.</summary>
    public int MaxSeqLen { get; init; } = 512;
    /// <summary>Causal task: concatenate documents into full <see cref="MaxSeqLen"/> blocks (true) or one sequence per document (false).</summary>
    public bool Packing { get; init; } = true;
    /// <summary>LoRA: also write the merged plain checkpoint.</summary>
    public bool Merge { get; init; }
    /// <summary>Recompute each block in backward instead of storing its activations.</summary>
    public bool GradientCheckpointing { get; init; }
    /// <summary>LoRA only: store the frozen base projections in bf16 (half their memory); adapters train and save in fp32.</summary>
    public bool Bf16 { get; init; }
    /// <summary>Trainer settings (its <see cref="TrainerOptions.OutputDir"/> is the output folder).</summary>
    public required TrainerOptions Trainer { get; init; }
}
