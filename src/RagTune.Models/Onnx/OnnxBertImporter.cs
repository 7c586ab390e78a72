using System.Text.Json.Nodes;
using RagTune.Models.SafeTensors;
using static TorchSharp.torch;

namespace RagTune.Models.Onnx;

/// <summary>
/// Turns an ONNX export of a BERT-family encoder (the graph <c>torch.onnx.export</c> writes for HF <c>BertModel</c>) and
/// its <c>vocab.txt</c> into a Hugging Face folder the engine loads: <c>model.safetensors</c> with <c>BertModel</c> keys,
/// <c>config.json</c> inferred from the graph, the WordPiece tokenizer files and sentence-transformers' description of
/// pooling (<c>modules.json</c>, <c>1_Pooling/config.json</c>, <c>sentence_bert_config.json</c>, the query prompt in
/// <c>config_sentence_transformers.json</c>). Exporters keep the Hugging Face names of embeddings, LayerNorms and
/// biases but often rename the projection matrices (<c>927</c>, <c>onnx::MatMul_788</c>) and store them as MatMul's
/// right operand ([in, out]); each such matrix is named after the bias its MatMul's Add consumes, and transposed.
/// </summary>
public static class OnnxBertImporter
{
    /// <summary>The folder's query prompt key in <c>config_sentence_transformers.json</c> ("prompts").</summary>
    public const string QueryPromptName = "query";

    /// <summary>
    /// Converts <paramref name="onnxPath"/> + <paramref name="vocabPath"/> into <paramref name="outDir"/>, which must not
    /// exist or be empty. The folder appears atomically (written beside it, then renamed), so a crash leaves no half model.
    /// </summary>
    /// <returns>The inferred configuration.</returns>
    public static ModelConfig Import(string onnxPath, string vocabPath, string outDir, OnnxImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(onnxPath);
        ArgumentNullException.ThrowIfNull(vocabPath);
        ArgumentNullException.ThrowIfNull(outDir);
        if (!File.Exists(vocabPath)) throw new ModelLoadException($"{vocabPath}: file not found.", vocabPath);
        return Import(OnnxModelReader.Read(onnxPath), onnxPath, File.ReadAllText(vocabPath), vocabPath, outDir, options ?? new OnnxImportOptions());
    }

    /// <summary>As <see cref="Import(string, string, string, OnnxImportOptions?)"/> from bytes in memory (e.g. an assembly's resources).</summary>
    public static ModelConfig Import(byte[] onnx, string onnxSource, string vocabText, string vocabSource, string outDir, OnnxImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        return Import(OnnxModelReader.Read(onnx, onnxSource), onnxSource, vocabText, vocabSource, outDir, options ?? new OnnxImportOptions());
    }

    static ModelConfig Import(OnnxGraph graph, string onnxSource, string vocabText, string vocabSource, string outDir, OnnxImportOptions options)
    {
        var weights = OnnxBertWeights.Extract(graph, onnxSource);
        var config = InferConfig(graph, weights, onnxSource);
        var vocab = ReadVocabulary(vocabText);
        if (vocab.Count != config["vocab_size"]!.GetValue<int>())
            throw new ModelLoadException($"{vocabSource}: {vocab.Count} tokens, but the model's embedding matrix in {onnxSource} has " +
                $"{config["vocab_size"]} rows. HINT: pass the vocab.txt the model was exported with.", vocabSource);

        var target = Path.GetFullPath(outDir);
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
            throw new IOException($"{target}: the output folder exists and is not empty. HINT: choose a new folder or empty it.");
        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var temp = Path.Combine(parent, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            WriteFolder(temp, weights, config, vocab, options);
            if (Directory.Exists(target)) Directory.Delete(target); // empty, checked above
            Directory.Move(temp, target);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
        return ModelConfig.Parse(config.ToJsonString(), Path.Combine(target, "config.json"));
    }

    /// <summary>vocab.txt lines without their line endings (the packaged files use CRLF, which BertTokenizer would keep in tokens).</summary>
    static List<string> ReadVocabulary(string text)
    {
        var lines = text.Split('\n').Select(l => l.EndsWith('\r') ? l[..^1] : l).ToList();
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    static JsonObject InferConfig(OnnxGraph graph, IReadOnlyDictionary<string, (float[] Data, long[] Shape)> weights, string source)
    {
        var embeddings = weights["embeddings.word_embeddings.weight"].Shape;
        var hidden = (int)embeddings[1];
        var layers = weights.Keys.Where(k => k.StartsWith("encoder.layer.", StringComparison.Ordinal))
            .Select(k => int.Parse(k.Split('.')[2], System.Globalization.CultureInfo.InvariantCulture)).Max() + 1;
        var heads = OnnxGraphFacts.AttentionHeads(graph, hidden) ?? throw new ModelLoadException(
            $"{source}: the attention head count could not be read from the graph (no Reshape to (…, heads, {hidden}/heads) and no attention scale).", source);
        return new JsonObject
        {
            ["architectures"] = new JsonArray("BertModel"),
            ["model_type"] = "bert",
            ["vocab_size"] = (int)embeddings[0],
            ["hidden_size"] = hidden,
            ["num_hidden_layers"] = layers,
            ["num_attention_heads"] = heads,
            ["intermediate_size"] = (int)weights["encoder.layer.0.intermediate.dense.weight"].Shape[0],
            ["hidden_act"] = OnnxGraphFacts.UsesErf(graph) ? "gelu" : "gelu_new",
            ["max_position_embeddings"] = (int)weights["embeddings.position_embeddings.weight"].Shape[0],
            ["type_vocab_size"] = (int)weights["embeddings.token_type_embeddings.weight"].Shape[0],
            ["layer_norm_eps"] = OnnxGraphFacts.LayerNormEpsilon(graph) ?? 1e-12,
            ["position_embedding_type"] = "absolute",
            ["pad_token_id"] = 0,
            ["hidden_dropout_prob"] = 0.1,
            ["attention_probs_dropout_prob"] = 0.1,
            ["initializer_range"] = 0.02,
            ["torch_dtype"] = "float32",
            // Read by our BertModel factory (transformers ignores it): exports of sentence encoders often drop the unused pooler.
            ["add_pooling_layer"] = weights.ContainsKey("pooler.dense.weight"),
        };
    }

    static void WriteFolder(string dir, IReadOnlyDictionary<string, (float[] Data, long[] Shape)> weights, JsonObject config,
        List<string> vocab, OnnxImportOptions options)
    {
        Directory.CreateDirectory(dir);
        using (var scope = NewDisposeScope())
            SafeTensorsWriter.Save(Path.Combine(dir, "model.safetensors"),
                weights.Select(kv => KeyValuePair.Create(kv.Key, tensor(kv.Value.Data, kv.Value.Shape))));
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString(Json.Indented));
        File.WriteAllText(Path.Combine(dir, "vocab.txt"), string.Join('\n', vocab) + "\n");
        var maxLength = options.MaxSequenceLength ?? config["max_position_embeddings"]!.GetValue<int>();
        Write(dir, "tokenizer_config.json", new JsonObject
        {
            ["tokenizer_class"] = "BertTokenizer", ["do_lower_case"] = options.DoLowerCase, ["tokenize_chinese_chars"] = true,
            ["strip_accents"] = null, ["model_max_length"] = maxLength,
            ["unk_token"] = "[UNK]", ["sep_token"] = "[SEP]", ["pad_token"] = "[PAD]", ["cls_token"] = "[CLS]", ["mask_token"] = "[MASK]",
        });
        Write(dir, "special_tokens_map.json", new JsonObject
        {
            ["unk_token"] = "[UNK]", ["sep_token"] = "[SEP]", ["pad_token"] = "[PAD]", ["cls_token"] = "[CLS]", ["mask_token"] = "[MASK]",
        });
        var modules = new JsonArray(
            new JsonObject { ["idx"] = 0, ["name"] = "0", ["path"] = "", ["type"] = "sentence_transformers.models.Transformer" },
            new JsonObject { ["idx"] = 1, ["name"] = "1", ["path"] = "1_Pooling", ["type"] = "sentence_transformers.models.Pooling" });
        if (options.Normalize)
            modules.Add(new JsonObject { ["idx"] = 2, ["name"] = "2", ["path"] = "2_Normalize", ["type"] = "sentence_transformers.models.Normalize" });
        Write(dir, "modules.json", modules);
        Directory.CreateDirectory(Path.Combine(dir, "1_Pooling"));
        Write(dir, Path.Combine("1_Pooling", "config.json"), new JsonObject
        {
            ["word_embedding_dimension"] = config["hidden_size"]!.GetValue<int>(),
            ["pooling_mode_cls_token"] = options.Pooling == PoolingMode.Cls,
            ["pooling_mode_mean_tokens"] = options.Pooling == PoolingMode.Mean,
            ["pooling_mode_max_tokens"] = options.Pooling == PoolingMode.Max,
            ["pooling_mode_mean_sqrt_len_tokens"] = false,
            ["pooling_mode_weightedmean_tokens"] = false,
            ["pooling_mode_lasttoken"] = options.Pooling == PoolingMode.LastToken,
            ["include_prompt"] = true,
        });
        if (options.Normalize) Directory.CreateDirectory(Path.Combine(dir, "2_Normalize"));
        Write(dir, "sentence_bert_config.json", new JsonObject { ["max_seq_length"] = maxLength, ["do_lower_case"] = false });
        Write(dir, "config_sentence_transformers.json", new JsonObject
        {
            ["prompts"] = new JsonObject { [QueryPromptName] = options.QueryPrefix ?? "", ["document"] = "" },
            ["default_prompt_name"] = null,
            ["similarity_fn_name"] = "cosine",
        });
    }

    static void Write(string dir, string name, JsonNode node) => File.WriteAllText(Path.Combine(dir, name), node.ToJsonString(Json.Indented));

    static class Json
    {
        public static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };
    }
}
