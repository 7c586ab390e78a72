using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace RagTune.Models.Onnx;

/// <summary>
/// Reads embedded (manifest) resources out of a .NET assembly file as data, with System.Reflection.Metadata: the
/// assembly is never loaded, so none of its code runs and its dependencies need not exist.
/// </summary>
public static class AssemblyResourceReader
{
    /// <summary>The names of the resources embedded in <paramref name="assemblyPath"/>.</summary>
    public static IReadOnlyList<string> Names(string assemblyPath)
    {
        using var pe = Open(assemblyPath);
        var metadata = pe.GetMetadataReader();
        return metadata.ManifestResources.Select(h => metadata.GetString(metadata.GetManifestResource(h).Name)).ToList();
    }

    /// <summary>The bytes of the resource named <paramref name="resourceName"/>; <see cref="ModelLoadException"/> naming the file when absent.</summary>
    public static byte[] Read(string assemblyPath, string resourceName)
    {
        using var pe = Open(assemblyPath);
        var metadata = pe.GetMetadataReader();
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            if (metadata.GetString(resource.Name) != resourceName) continue;
            if (!resource.Implementation.IsNil)
                throw new ModelLoadException($"{assemblyPath}: resource '{resourceName}' lives in another file, which is not supported.", assemblyPath);
            // ECMA-335 II.24.2.4: the resources directory holds each resource as a 4-byte length followed by its bytes.
            var directory = pe.PEHeaders.CorHeader!.ResourcesDirectory;
            var block = pe.GetSectionData(directory.RelativeVirtualAddress);
            if (resource.Offset < 0 || resource.Offset + 4 > directory.Size)
                throw new ModelLoadException($"{assemblyPath}: resource '{resourceName}' lies outside the resources directory (damaged file?).", assemblyPath);
            var reader = block.GetReader((int)resource.Offset, directory.Size - (int)resource.Offset);
            var length = reader.ReadInt32();
            if (length < 0 || length > reader.RemainingBytes)
                throw new ModelLoadException($"{assemblyPath}: resource '{resourceName}' claims {length} bytes but only {reader.RemainingBytes} remain (truncated file?).", assemblyPath);
            return reader.ReadBytes(length);
        }
        throw new ModelLoadException($"{assemblyPath}: no embedded resource '{resourceName}' (found: {string.Join(", ", Names(assemblyPath))}).", assemblyPath);
    }

    static PEReader Open(string path)
    {
        if (!File.Exists(path)) throw new ModelLoadException($"{path}: file not found.", path);
        var pe = new PEReader(File.OpenRead(path), PEStreamOptions.PrefetchEntireImage);
        if (!pe.HasMetadata || pe.PEHeaders.CorHeader is null)
        {
            pe.Dispose();
            throw new ModelLoadException($"{path}: not a .NET assembly.", path);
        }
        return pe;
    }
}
