using System.Text.Json;
using static TorchSharp.torch;

namespace RagTune.Models.SafeTensors;

/// <summary>
/// The weights of a checkpoint folder: a single <c>model.safetensors</c> or shards listed by
/// <c>model.safetensors.index.json</c> (<c>{"weight_map": {tensor: file}}</c>), seen as one set of named tensors.
/// </summary>
public sealed class SafeTensorsCheckpoint : IDisposable
{
    /// <summary>The single-file weights name.</summary>
    public const string SingleFileName = "model.safetensors";

    /// <summary>The shard index name.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    readonly List<SafeTensorsFile> files;
    readonly Dictionary<string, SafeTensorsFile> byTensor;

    SafeTensorsCheckpoint(List<SafeTensorsFile> files, Dictionary<string, SafeTensorsFile> byTensor)
    {
        this.files = files;
        this.byTensor = byTensor;
    }

    /// <summary>All tensor names.</summary>
    public IReadOnlyCollection<string> Keys => byTensor.Keys;

    /// <summary>The open files (one, or one per shard).</summary>
    public IReadOnlyList<SafeTensorsFile> Files => files;

    /// <summary>Opens the weights of <paramref name="dir"/> (single file or sharded).</summary>
    /// <exception cref="ModelLoadException">No weights, a bad index, a missing shard or an invalid file.</exception>
    public static SafeTensorsCheckpoint Open(string dir)
    {
        var single = Path.Combine(dir, SingleFileName);
        var index = Path.Combine(dir, IndexFileName);
        var files = new List<SafeTensorsFile>();
        var byTensor = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        try
        {
            if (File.Exists(single))
            {
                var f = SafeTensorsFile.Open(single);
                files.Add(f);
                foreach (var k in f.Tensors.Keys) byTensor[k] = f;
            }
            else if (File.Exists(index))
            {
                foreach (var (tensor, shard) in ReadWeightMap(index))
                {
                    var f = files.FirstOrDefault(x => Path.GetFileName(x.FilePath) == shard);
                    if (f is null)
                    {
                        var shardPath = Path.Combine(dir, shard);
                        if (!File.Exists(shardPath))
                            throw new ModelLoadException($"{index}: shard '{shard}' (for tensor '{tensor}') does not exist.", index, tensor);
                        f = SafeTensorsFile.Open(shardPath);
                        files.Add(f);
                    }
                    if (!f.Tensors.ContainsKey(tensor))
                        throw new ModelLoadException($"{index}: tensor '{tensor}' is mapped to '{shard}', which does not contain it.", f.FilePath, tensor);
                    byTensor[tensor] = f;
                }
            }
            else
            {
                throw new ModelLoadException(
                    $"{dir}: no {SingleFileName} or {IndexFileName}. HINT: only safetensors checkpoints are supported (convert .bin/.pth files with transformers' save_pretrained).", dir);
            }
            return new SafeTensorsCheckpoint(files, byTensor);
        }
        catch
        {
            foreach (var f in files) f.Dispose();
            throw;
        }
    }

    static IEnumerable<(string Tensor, string File)> ReadWeightMap(string index)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllBytes(index)); }
        catch (JsonException e) { throw new ModelLoadException($"{index}: not valid JSON ({e.Message}).", index, inner: e); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object ||
                !doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new ModelLoadException($"{index}: missing object 'weight_map'.", index);
            var result = new List<(string, string)>();
            foreach (var p in map.EnumerateObject())
            {
                var shard = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : "";
                if (shard.Length == 0 || shard != Path.GetFileName(shard))
                    throw new ModelLoadException($"{index}: tensor '{p.Name}' maps to an invalid shard name '{p.Value}'.", index, p.Name);
                result.Add((p.Name, shard));
            }
            return result;
        }
    }

    /// <summary>Whether the checkpoint has a tensor named <paramref name="name"/>.</summary>
    public bool Contains(string name) => byTensor.ContainsKey(name);

    /// <summary>The file holding <paramref name="name"/>.</summary>
    public SafeTensorsFile FileOf(string name) => byTensor.TryGetValue(name, out var f)
        ? f
        : throw new ModelLoadException($"checkpoint has no tensor named '{name}'.", tensorName: name);

    /// <summary>The header entry of <paramref name="name"/>.</summary>
    public SafeTensorInfo Info(string name) => FileOf(name).Info(name);

    /// <summary>Loads one tensor (see <see cref="SafeTensorsFile.Load"/>).</summary>
    public Tensor Load(string name, ScalarType? dtype = null) => FileOf(name).Load(name, dtype);

    /// <summary>Copies one tensor into <paramref name="target"/> (see <see cref="SafeTensorsFile.CopyInto"/>).</summary>
    public void CopyInto(string name, Tensor target) => FileOf(name).CopyInto(name, target);

    /// <summary>Closes every file.</summary>
    public void Dispose()
    {
        foreach (var f in files) f.Dispose();
    }
}
