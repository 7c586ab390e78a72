namespace RagTune.Models.Gguf;

/// <summary>How <see cref="GgufExporter"/> writes a model.</summary>
public sealed record GgufExportOptions
{
    /// <summary>Storage of the weight matrices (default float32).</summary>
    public GgufFileType FileType { get; init; } = GgufFileType.F32;

    /// <summary><c>general.name</c>; the model folder's name when null.</summary>
    public string? Name { get; init; }

    /// <summary>Tensors written so far, out of the total.</summary>
    public IProgress<(int Done, int Total, string Tensor)>? Progress { get; init; }
}
