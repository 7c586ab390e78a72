using System.Text;
using RagTune.Models.SafeTensors;
using RagTune.Tests;
using static TorchSharp.torch;

namespace RagTune.Models.Tests.SafeTensors;

/// <summary>Reader validation (every malformed file is one clear <see cref="ModelLoadException"/>) and writer format.</summary>
public sealed class SafeTensorsFileTests : IDisposable
{
    readonly string dir = TestPaths.NewTempDir("ragtune-st");

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string Write(string name, string header, int dataBytes, ulong? declaredLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var path = Path.Combine(dir, name);
        using var f = File.Create(path);
        f.Write(BitConverter.GetBytes(declaredLength ?? (ulong)json.Length));
        f.Write(json);
        f.Write(new byte[dataBytes]);
        return path;
    }

    ModelLoadException Fails(string path, params string[] fragments)
    {
        var e = Assert.Throws<ModelLoadException>(() => { using var _ = SafeTensorsFile.Open(path); });
        Assert.Contains(path, e.Message);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
        return e;
    }

    [Fact]
    public void ReadsFixtureHeaderAndMetadata()
    {
        using var f = SafeTensorsFile.Open(Path.Combine(TestPaths.Parity("llama3-style"), "model.safetensors"));
        Assert.Equal(21, f.Tensors.Count);
        Assert.Equal("pt", f.Metadata["format"]);
        var info = f.Info("model.layers.0.self_attn.k_proj.weight");
        Assert.Equal("F32", info.DType);
        Assert.Equal(new long[] { 32, 64 }, info.Shape);
        using var t = f.Load("model.layers.0.self_attn.k_proj.weight");
        Assert.Equal(ScalarType.Float32, t.dtype);
        using var bf = f.Load("model.norm.weight", ScalarType.BFloat16);
        Assert.Equal(ScalarType.BFloat16, bf.dtype);
    }

    [Fact]
    public void TruncatedFileFails()
    {
        var path = Path.Combine(dir, "short.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        Fails(path, "truncated");
    }

    [Fact]
    public void HeaderLengthBeyondFileFails() => Fails(Write("len.safetensors", "{}", 0, declaredLength: 1_000_000), "header length 1000000");

    [Fact]
    public void BadJsonFails() => Fails(Write("json.safetensors", "{\"a\": [1, 2", 0), "not valid JSON");

    [Fact]
    public void UnknownDtypeFailsNamingTheTensor() =>
        Fails(Write("dtype.safetensors", """{"w":{"dtype":"Q4","shape":[2],"data_offsets":[0,2]}}""", 2), "'w'", "unknown dtype 'Q4'");

    [Fact]
    public void OffsetsOutOfRangeFail() =>
        Fails(Write("range.safetensors", """{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8), "'w'", "past the data section");

    [Fact]
    public void SizeNotMatchingShapeFails() =>
        Fails(Write("size.safetensors", """{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}}""", 16), "'w'", "needs 12");

    [Fact]
    public void OverlappingTensorsFail() =>
        Fails(Write("overlap.safetensors", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12), "overlap");

    [Fact]
    public void NegativeOrReversedOffsetsFail() =>
        Fails(Write("rev.safetensors", """{"w":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}""", 8), "'w'", "begin");

    [Fact]
    public void BadShapeFails() =>
        Fails(Write("shape.safetensors", """{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", 4), "'w'", "shape");

    [Fact]
    public void NonStringMetadataFails() =>
        Fails(Write("meta.safetensors", """{"__metadata__":{"n":1}}""", 0), "__metadata__");

    [Fact]
    public void WriterSortsKeysPadsHeaderAndRoundTrips()
    {
        var path = Path.Combine(dir, "w.safetensors");
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["z"] = arange(6, ScalarType.Float32).view(2, 3),
            ["a"] = tensor(new long[] { 1, -2 }, ScalarType.Int64),
            ["m"] = randn(3, 2).to_type(ScalarType.BFloat16),
            ["t"] = arange(6, ScalarType.Float32).view(2, 3).t(), // non-contiguous
            ["h"] = ones(2, ScalarType.Float16),
        };
        SafeTensorsWriter.Save(path, tensors);
        var bytes = File.ReadAllBytes(path);
        var n = BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0UL, n % 8);
        var header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.StartsWith("""{"__metadata__":{"format":"pt"},"a":""", header);
        Assert.True(header.IndexOf("\"h\"") < header.IndexOf("\"m\"") && header.IndexOf("\"m\"") < header.IndexOf("\"t\""));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        var back = SafeTensorsFile.LoadAll(path);
        foreach (var (k, t) in tensors)
        {
            Assert.Equal(t.dtype, back[k].dtype);
            Assert.Equal(t.shape, back[k].shape);
            Assert.True(t.contiguous().bytes.SequenceEqual(back[k].bytes), k);
        }
    }

    [Fact]
    public void ShardedCheckpointResolvesTensorsAcrossFiles()
    {
        using var scope = NewDisposeScope();
        SafeTensorsWriter.Save(Path.Combine(dir, "model-00001-of-00002.safetensors"), [new("a", ones(2))]);
        SafeTensorsWriter.Save(Path.Combine(dir, "model-00002-of-00002.safetensors"), [new("b", zeros(3))]);
        File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"),
            """{"metadata": {"total_size": 20}, "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}""");
        using var ckpt = SafeTensorsCheckpoint.Open(dir);
        Assert.Equal(2, ckpt.Files.Count);
        Assert.Equal(new long[] { 3 }, ckpt.Load("b").shape);
        File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"), """{"weight_map": {"a": "missing.safetensors"}}""");
        var e = Assert.Throws<ModelLoadException>(() => SafeTensorsCheckpoint.Open(dir));
        Assert.Contains("missing.safetensors", e.Message);
    }
}
