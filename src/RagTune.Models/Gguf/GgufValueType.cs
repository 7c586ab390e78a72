namespace RagTune.Models.Gguf;

/// <summary>The type tag of a GGUF metadata value (the <c>gguf_type</c> enum of the GGUF specification).</summary>
public enum GgufValueType : uint
{
    /// <summary>byte</summary>
    UInt8 = 0,
    /// <summary>sbyte</summary>
    Int8 = 1,
    /// <summary>ushort</summary>
    UInt16 = 2,
    /// <summary>short</summary>
    Int16 = 3,
    /// <summary>uint</summary>
    UInt32 = 4,
    /// <summary>int</summary>
    Int32 = 5,
    /// <summary>float</summary>
    Float32 = 6,
    /// <summary>bool (one byte, 0 or 1)</summary>
    Bool = 7,
    /// <summary>UTF-8 string with a 64-bit length</summary>
    String = 8,
    /// <summary>element type, 64-bit count, elements</summary>
    Array = 9,
    /// <summary>ulong</summary>
    UInt64 = 10,
    /// <summary>long</summary>
    Int64 = 11,
    /// <summary>double</summary>
    Float64 = 12,
}
