namespace RagTune.Models.Gguf;

/// <summary>
/// Storage of the exported weight matrices (<c>general.file_type</c>; llama.cpp's <c>LLAMA_FTYPE_*</c> numbers). Norms,
/// biases and RoPE factors stay float32 whatever the type, as llama.cpp's converter does.
/// </summary>
public enum GgufFileType : uint
{
    /// <summary>float32 everywhere (exact).</summary>
    F32 = 0,
    /// <summary>IEEE half matrices.</summary>
    F16 = 1,
    /// <summary>Q8_0 blocks (rows whose length is not a multiple of 32 fall back to F16).</summary>
    Q8_0 = 7,
    /// <summary>bfloat16 matrices.</summary>
    BF16 = 32,
}
