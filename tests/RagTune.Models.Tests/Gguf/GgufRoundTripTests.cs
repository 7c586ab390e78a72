using RagTune.Models.Gguf;
using RagTune.Models.SafeTensors;
using RagTune.Tests;
using static TorchSharp.torch;
using RagTune.Tests.Gguf;

namespace RagTune.Models.Tests.Gguf;

/// <summary>HF → GGUF → HF, and what the reader refuses.</summary>
public sealed class GgufRoundTripTests : IDisposable
{
    readonly string _dir = TinyTokenizers.ModelWithTokenizer(TestPaths.Parity("llama3-style"), 512);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void F32_round_trip_is_bit_exact_and_keeps_the_config()
    {
        var gguf = Path.Combine(_dir, "model.gguf");
        GgufExporter.Export(_dir, gguf);
        var back = Path.Combine(_dir, "back");
        using (var model = ModelLoader.Load(gguf)) ModelSaver.Save(model, back);

        var original = SafeTensorsFile.LoadAll(Path.Combine(_dir, "model.safetensors"));
        var roundTrip = SafeTensorsFile.LoadAll(Path.Combine(back, "model.safetensors"));
        Assert.Equal(original.Keys.Order(), roundTrip.Keys.Order());
        foreach (var (key, t) in original)
            Assert.True(t.bytes.SequenceEqual(roundTrip[key].bytes), $"{key} differs after HF → GGUF → HF");
        var config = ModelConfig.FromFolder(back);
        Assert.Equal("llama3", config.RopeScaling!["rope_type"]!.GetValue<string>());
        Assert.Equal(ModelConfig.FromFolder(_dir).NumKeyValueHeads, config.NumKeyValueHeads);
    }

    [Fact]
    public void Without_the_embedded_config_the_rebuilt_model_gives_the_same_logits()
    {
        // A foreign file (llama.cpp's converter) has no ragtune.hf_config: config from llama.* keys, llama3 RoPE from rope_freqs.
        var gguf = Path.Combine(_dir, "foreign.gguf");
        GgufExporter.Export(_dir, gguf);
        var stripped = Path.Combine(_dir, "stripped.gguf");
        Rewrite(gguf, stripped, (key, value) => key == GgufExporter.HfConfigKey ? null : value);
        using var parity = new Parity("llama3-style");
        using var model = ModelLoader.LoadCausalLanguageModel(stripped);
        Assert.Equal("frequency_factors", model.Config.RopeScaling!["rope_type"]!.GetValue<string>());
        using var _ = no_grad();
        using var logits = model.Forward(parity["long_input_ids"]);
        Parity.AssertClose(logits, parity["long_logits"], tolerance: 1e-4, what: "rebuilt config, 100 positions");
    }

    [Fact]
    public void Malformed_files_fail_with_the_file_and_tensor_named()
    {
        var gguf = Path.Combine(_dir, "model.gguf");
        GgufExporter.Export(_dir, gguf);
        var bytes = File.ReadAllBytes(gguf);

        var truncated = Path.Combine(_dir, "truncated.gguf");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<ModelLoadException>(() => GgufFile.Open(truncated));
        Assert.Contains("truncated.gguf", e.Message);
        Assert.Equal("output.weight", e.TensorName);

        var header = Path.Combine(_dir, "header.gguf");
        File.WriteAllBytes(header, bytes[..300]);
        e = Assert.Throws<ModelLoadException>(() => ModelLoader.Load(header));
        Assert.Contains("header.gguf", e.Message);

        var hugeCount = (byte[])bytes.Clone();
        BitConverter.TryWriteBytes(hugeCount.AsSpan(8), ulong.MaxValue / 2);
        var counted = Path.Combine(_dir, "count.gguf");
        File.WriteAllBytes(counted, hugeCount);
        Assert.Contains("tensor count", Assert.Throws<ModelLoadException>(() => GgufFile.Open(counted)).Message);

        var notGguf = Path.Combine(_dir, "config.gguf");
        File.Copy(Path.Combine(_dir, "config.json"), notGguf);
        Assert.Contains("not a GGUF file", Assert.Throws<ModelLoadException>(() => GgufFile.Open(notGguf)).Message);
    }

    /// <summary>Copies a GGUF file with metadata edited (null drops a key).</summary>
    internal static void Rewrite(string source, string target, Func<string, object, object?> edit)
    {
        using var file = GgufFile.Open(source);
        var writer = new GgufWriter();
        foreach (var (key, value) in file.Metadata)
            if (edit(key, value) is { } v) writer.Set(key, v);
        foreach (var t in file.Tensors)
        {
            var info = t;
            writer.AddTensor(info.Name, info.Shape, info.Type, () => file.ReadBytes(info));
        }
        writer.Write(target);
    }
}
