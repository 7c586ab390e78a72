using System.Text;
using RagTune.Models.Onnx;
using RagTune.Tests;

namespace RagTune.Models.Tests.Onnx;

/// <summary>Bad input to the importer: each failure is a <see cref="ModelLoadException"/> naming the file at fault, and leaves no output folder.</summary>
public sealed class OnnxImportErrorTests
{
    static readonly Lazy<byte[]> MiniLmOnnx = new(() => TestEncoders.OnnxBytes("minilm"));

    [Fact]
    public void TruncatedOnnxFileIsNamed()
    {
        var dir = TestPaths.NewTempDir();
        var onnx = Path.Combine(dir, "cut.onnx");
        File.WriteAllBytes(onnx, MiniLmOnnx.Value[..(MiniLmOnnx.Value.Length / 3)]);
        var vocab = WriteVocab(dir, 30522);
        var e = Assert.Throws<ModelLoadException>(() => OnnxBertImporter.Import(onnx, vocab, Path.Combine(dir, "out")));
        Assert.Equal(onnx, e.FilePath);
        Assert.Contains("truncated", e.Message);
        Assert.False(Directory.Exists(Path.Combine(dir, "out")));
    }

    [Fact]
    public void NonBertGraphIsRefused()
    {
        var dir = TestPaths.NewTempDir();
        var onnx = Path.Combine(dir, "relu.onnx");
        File.WriteAllBytes(onnx, ReluModel());
        var e = Assert.Throws<ModelLoadException>(() => OnnxBertImporter.Import(onnx, WriteVocab(dir, 10), Path.Combine(dir, "out")));
        Assert.Equal(onnx, e.FilePath);
        Assert.Contains("not a BERT-family encoder", e.Message);
    }

    [Fact]
    public void NotAnOnnxFileIsRefused()
    {
        var dir = TestPaths.NewTempDir();
        var onnx = Path.Combine(dir, "text.onnx");
        File.WriteAllText(onnx, "this is not protobuf at all");
        var e = Assert.Throws<ModelLoadException>(() => OnnxBertImporter.Import(onnx, WriteVocab(dir, 10), Path.Combine(dir, "out")));
        Assert.Equal(onnx, e.FilePath);
    }

    [Fact]
    public void VocabularyOfTheWrongSizeIsNamed()
    {
        var dir = TestPaths.NewTempDir();
        var onnx = Path.Combine(dir, "model.onnx");
        File.WriteAllBytes(onnx, MiniLmOnnx.Value);
        var vocab = WriteVocab(dir, 1000);
        var e = Assert.Throws<ModelLoadException>(() => OnnxBertImporter.Import(onnx, vocab, Path.Combine(dir, "out")));
        Assert.Equal(vocab, e.FilePath);
        Assert.Contains("1000 tokens", e.Message);
        Assert.Contains("30522 rows", e.Message);
        Assert.False(Directory.Exists(Path.Combine(dir, "out")));
    }

    static string WriteVocab(string dir, int lines)
    {
        var path = Path.Combine(dir, "vocab.txt");
        File.WriteAllText(path, string.Join("\r\n", Enumerable.Range(0, lines).Select(i => $"tok{i}")) + "\r\n");
        return path;
    }

    /// <summary>A valid ONNX model (hand-encoded protobuf) whose graph is one Relu with one float initializer.</summary>
    static byte[] ReluModel()
    {
        var tensor = Concat(Field(1, Varint(2)), Field(2, Varint(1)), Bytes(8, Encoding.UTF8.GetBytes("w")), Bytes(9, new byte[8]));
        var node = Concat(Bytes(1, "w"u8.ToArray()), Bytes(2, "y"u8.ToArray()), Bytes(4, "Relu"u8.ToArray()));
        var graph = Concat(Bytes(1, node), Bytes(5, tensor));
        return Concat(Field(1, Varint(8)), Bytes(2, "test"u8.ToArray()), Bytes(7, graph));
    }

    static byte[] Varint(ulong v)
    {
        var bytes = new List<byte>();
        do { var b = (byte)(v & 0x7F); v >>= 7; bytes.Add(v != 0 ? (byte)(b | 0x80) : b); } while (v != 0);
        return [.. bytes];
    }

    static byte[] Field(int number, byte[] varint) => [.. Varint((ulong)(number << 3)), .. varint];
    static byte[] Bytes(int number, byte[] payload) => [.. Varint((ulong)(number << 3 | 2)), .. Varint((ulong)payload.Length), .. payload];
    static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
