namespace RagTune.Models;

/// <summary>How projection weights are held in memory for inference (see <see cref="Kernels.ReducedPrecision"/>).</summary>
public enum WeightPrecision
{
    /// <summary>As loaded (fp32 by default): exact.</summary>
    Fp32,

    /// <summary>bf16: half the bytes per decoded token; logits move by bf16 rounding.</summary>
    Bf16,

    /// <summary>int8 blocks of 32 with an fp32 scale (Q8_0's scheme): 1.125 bytes per weight.</summary>
    Int8,
}
