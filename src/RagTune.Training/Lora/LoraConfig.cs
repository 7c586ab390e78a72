namespace RagTune.Training.Lora;

/// <summary>
/// LoRA hyper-parameters, mirroring PEFT's <c>LoraConfig</c> fields that <c>adapter_config.json</c> stores
/// (https://github.com/huggingface/peft/blob/main/src/peft/tuners/lora/config.py).
/// </summary>
public sealed record LoraConfig
{
    /// <summary>PEFT's shorthand for "every linear layer except the output head".</summary>
    public const string AllLinear = "all-linear";

    /// <summary>Rank r of the update ΔW = B·A.</summary>
    public int R { get; init; } = 8;
    /// <summary>Scale numerator: ΔW is multiplied by alpha/r (or alpha/√r with <see cref="UseRsLora"/>).</summary>
    public double Alpha { get; init; } = 16;
    /// <summary>Dropout on the adapter's input.</summary>
    public double Dropout { get; init; } = 0.05;
    /// <summary>Module names (suffix match on the dotted path) or <see cref="AllLinear"/>.</summary>
    public IReadOnlyList<string> TargetModules { get; init; } = ["q_proj", "v_proj"];
    /// <summary>rsLoRA scaling alpha/√r (https://arxiv.org/abs/2312.03732).</summary>
    public bool UseRsLora { get; init; }
    /// <summary>The targeted weights are stored <c>[in, out]</c> (GPT-2 Conv1D); affects merging only.</summary>
    public bool FanInFanOut { get; init; }
    /// <summary>PEFT <c>bias</c>: only "none" is supported.</summary>
    public string Bias { get; init; } = "none";
    /// <summary>PEFT task type: CAUSAL_LM, SEQ_CLS, FEATURE_EXTRACTION.</summary>
    public string TaskType { get; init; } = "CAUSAL_LM";
    /// <summary>The base model folder or hub id, stored for loaders.</summary>
    public string? BaseModelNameOrPath { get; init; }
    /// <summary>Modules trained in full and saved with the adapter (e.g. a new classification head).</summary>
    public IReadOnlyList<string> ModulesToSave { get; init; } = [];

    /// <summary>The factor applied to B·A·x.</summary>
    public double Scaling => UseRsLora ? Alpha / Math.Sqrt(R) : Alpha / R;
}
