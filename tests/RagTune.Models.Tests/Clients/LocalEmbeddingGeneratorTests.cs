using System.Text.Json.Nodes;
using RagTune.Models.Clients;
using RagTune.Models.Tokenization;
using RagTune.Tests;
using static TorchSharp.torch;

namespace RagTune.Models.Tests.Clients;

public sealed class LocalEmbeddingGeneratorTests
{
    /// <summary>An encoder whose hidden state at a token is a fixed random vector of its id (no context), so pooling is checkable.</summary>
    sealed class LookupEncoder : IEncoderModel
    {
        public Tensor Table { get; } = randn(64, 8, generator: new TorchSharp.torch.Generator(3)).DetachFromDisposeScope();
        readonly Lock _shapesLock = new();
        public List<long[]> Shapes { get; } = [];
        public ModelConfig Config { get; } = ModelConfig.Parse(
            """{"model_type":"bert","vocab_size":64,"hidden_size":8,"num_hidden_layers":1,"num_attention_heads":1,"intermediate_size":8,"max_position_embeddings":6}""");
        public EncoderOutput Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? tokenTypeIds = null)
        {
            lock (_shapesLock) Shapes.Add(inputIds.shape);
            return new EncoderOutput(Table.index_select(0, inputIds.flatten()).view(inputIds.shape[0], inputIds.shape[1], 8), null);
        }
        public nn.Module Module => throw new NotSupportedException();
        public string Architecture => "Lookup";
        public ScalarType DType => ScalarType.Float32;
        public IReadOnlyList<ITransformerBlock> Blocks => [];
        public int NumLayers => 1;
        public IReadOnlySet<string> TiedKeys => new HashSet<string>();
        public BlockInvoker? BlockInvoker { get; set; }
        public string? MapCheckpointKey(string checkpointKey) => checkpointKey;
        public void Dispose() => Table.Dispose();
    }

    /// <summary>WordLevel a…z = 1…26, [CLS] 60, [SEP] 61, [PAD] 0, BERT-style post-processing.</summary>
    static ITokenizer Tokenizer()
    {
        var dir = TestPaths.NewTempDir("embed-tok");
        var vocab = new JsonObject { ["[PAD]"] = 0, ["[UNK]"] = 59, ["[CLS]"] = 60, ["[SEP]"] = 61 };
        for (var c = 'a'; c <= 'z'; c++) vocab[c.ToString()] = c - 'a' + 1;
        var json = new JsonObject
        {
            ["added_tokens"] = new JsonArray(Special(0, "[PAD]"), Special(60, "[CLS]"), Special(61, "[SEP]")),
            ["pre_tokenizer"] = new JsonObject { ["type"] = "WhitespaceSplit" },
            ["post_processor"] = new JsonObject { ["type"] = "BertProcessing", ["sep"] = new JsonArray("[SEP]", 61), ["cls"] = new JsonArray("[CLS]", 60) },
            ["model"] = new JsonObject { ["type"] = "WordLevel", ["unk_token"] = "[UNK]", ["vocab"] = vocab },
        };
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), json.ToJsonString());
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """{"pad_token":"[PAD]","cls_token":"[CLS]","sep_token":"[SEP]"}""");
        return TokenizerLoader.FromFolder(dir);
    }

    static JsonObject Special(int id, string content) => new()
    {
        ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
    };

    static float[] Expected(LookupEncoder model, int[] ids, PoolingMode mode, bool normalize)
    {
        using var scope = NewDisposeScope();
        var rows = model.Table.index_select(0, tensor(ids.Select(i => (long)i).ToArray()));
        var v = mode == PoolingMode.Cls ? rows[0] : rows.mean([0]);
        if (normalize) v = v / v.norm();
        return v.data<float>().ToArray();
    }

    [Theory]
    [InlineData(PoolingMode.Mean, true)]
    [InlineData(PoolingMode.Cls, false)]
    public async Task PoolsPerTextIgnoringPaddingAndKeepsInputOrder(PoolingMode mode, bool normalize)
    {
        using var model = new LookupEncoder();
        using var generator = new LocalEmbeddingGenerator(model, Tokenizer(), new SentenceEmbeddingSettings(mode, normalize, null), "lookup", batchSize: 2,
            threads: 1);
        var result = await generator.GenerateAsync(["a b c", "d", "e f"]);
        Assert.Equal(3, result.Count);
        // Length-sorted batches: the two short texts together (width 4), then the long one alone (width 5).
        Assert.Equal([(2, 4), (1, 5)], model.Shapes.Select(s => ((int)s[0], (int)s[1])));
        int[][] ids = [[60, 1, 2, 3, 61], [60, 4, 61], [60, 5, 6, 61]];
        for (var i = 0; i < 3; i++)
        {
            var expected = Expected(model, ids[i], mode, normalize);
            var actual = result[i].Vector.ToArray();
            Assert.Equal(expected.Length, actual.Length);
            for (var j = 0; j < expected.Length; j++) Assert.Equal(expected[j], actual[j], 1e-5f);
        }
        Assert.Equal(12, result.Usage!.InputTokenCount);
    }

    [Fact]
    public async Task BatchesOnSeveralThreadsGiveTheSameEmbeddingsInInputOrder()
    {
        string[] texts = ["a b c", "d", "e f", "g h i j", "k", "l m", "n o p", "q"];
        using var model = new LookupEncoder();
        using var serial = new LocalEmbeddingGenerator(model, Tokenizer(), SentenceEmbeddingSettings.Default, batchSize: 2, threads: 1);
        using var parallel = new LocalEmbeddingGenerator(model, Tokenizer(), SentenceEmbeddingSettings.Default, batchSize: 2, threads: 3);
        var expected = await serial.GenerateAsync(texts);
        model.Shapes.Clear();
        var actual = await parallel.GenerateAsync(texts);
        Assert.Equal(4, model.Shapes.Count); // 8 texts in batches of 2, whichever thread ran them
        for (var i = 0; i < texts.Length; i++) Assert.Equal(expected[i].Vector.ToArray(), actual[i].Vector.ToArray());
        // Fewer texts than threads × batch: smaller batches, one per thread, but not below MinSplitBatch texts.
        model.Shapes.Clear();
        using var wide = new LocalEmbeddingGenerator(model, Tokenizer(), SentenceEmbeddingSettings.Default, batchSize: 32, threads: 2);
        var few = await wide.GenerateAsync(texts);
        Assert.Equal([4, 4], model.Shapes.Select(s => (int)s[0]));
        for (var i = 0; i < texts.Length; i++) Assert.Equal(expected[i].Vector.ToArray(), few[i].Vector.ToArray());
    }

    [Fact]
    public async Task TruncatesToTheModelLimitKeepingSep()
    {
        using var model = new LookupEncoder();
        using var generator = new LocalEmbeddingGenerator(model, Tokenizer(), SentenceEmbeddingSettings.Default);
        Assert.Equal([60, 1, 2, 3, 4, 61], generator.Encode("a b c d e f g"));
        var result = await generator.GenerateAsync(["a b c d e f g"]);
        var expected = Expected(model, [60, 1, 2, 3, 4, 61], PoolingMode.Mean, true);
        Assert.Equal(expected, result[0].Vector.ToArray(), (x, y) => Math.Abs(x - y) < 1e-5f);
    }

    [Fact]
    public void PoolingIsReadFromSentenceTransformersFiles()
    {
        var dir = TestPaths.NewTempDir("st");
        Assert.Equal(SentenceEmbeddingSettings.Default, SentenceEmbeddingSettings.FromFolder(dir));
        Directory.CreateDirectory(Path.Combine(dir, "1_Pooling"));
        File.WriteAllText(Path.Combine(dir, "modules.json"), """
            [{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},
             {"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"}]
            """);
        File.WriteAllText(Path.Combine(dir, "1_Pooling", "config.json"), """{"pooling_mode_cls_token":true,"pooling_mode_mean_tokens":false}""");
        File.WriteAllText(Path.Combine(dir, "sentence_bert_config.json"), """{"max_seq_length":128}""");
        Assert.Equal(new SentenceEmbeddingSettings(PoolingMode.Cls, false, 128), SentenceEmbeddingSettings.FromFolder(dir));
    }
}
