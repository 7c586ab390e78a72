using RagTune.Models.Onnx;

namespace RagTune.Models.Tests.Onnx;

/// <summary>
/// The built-in encoders converted into one cache shared by every test run on the machine (the locator's atomic,
/// hash-checked conversion is what makes sharing safe), so only the first run pays the conversion.
/// </summary>
internal static class TestEncoders
{
    public static EmbeddingModelCacheOptions CacheOptions { get; } = new(Path.Combine(Path.GetTempPath(), "ragtune-test-models"));

    public static string Folder(string name) => EmbeddingModelLocator.Materialize(BuiltInEncoder.Find(name)!, CacheOptions);

    public static byte[] OnnxBytes(string name)
    {
        var encoder = BuiltInEncoder.Find(name)!;
        return AssemblyResourceReader.Read(encoder.LocateAssembly(), encoder.OnnxResource);
    }
}
