namespace RagTune.Models.Onnx;

/// <summary>
/// The explicit key map from an ONNX BERT graph to HF <c>BertModel</c> keys: initializers that already carry HF names
/// (optionally under <c>bert.</c>) keep them; an unnamed projection matrix feeding <c>MatMul → Add(bias)</c> takes the
/// bias's name with <c>.weight</c>; MatMul's right operand is [in, out], so it is transposed to HF's [out, in]
/// (as is a Gemm operand unless <c>transB</c> = 1).
/// </summary>
internal static class OnnxBertWeights
{
    static readonly string[] LayerKeys =
    [
        "attention.self.query.weight", "attention.self.query.bias", "attention.self.key.weight", "attention.self.key.bias",
        "attention.self.value.weight", "attention.self.value.bias", "attention.output.dense.weight", "attention.output.dense.bias",
        "attention.output.LayerNorm.weight", "attention.output.LayerNorm.bias", "intermediate.dense.weight", "intermediate.dense.bias",
        "output.dense.weight", "output.dense.bias", "output.LayerNorm.weight", "output.LayerNorm.bias",
    ];

    static readonly string[] EmbeddingKeys =
    [
        "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight",
        "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias",
    ];

    /// <summary>HF key → (row-major fp32 data, HF shape). Missing BERT tensors raise <see cref="ModelLoadException"/> naming them.</summary>
    public static Dictionary<string, (float[] Data, long[] Shape)> Extract(OnnxGraph graph, string source)
    {
        var weights = new Dictionary<string, (float[] Data, long[] Shape)>(StringComparer.Ordinal);
        var consumers = new Dictionary<string, List<OnnxNode>>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
            foreach (var input in node.Inputs)
            {
                if (!consumers.TryGetValue(input, out var list)) consumers[input] = list = [];
                list.Add(node);
            }

        foreach (var node in graph.Nodes)
        {
            if (node.OpType is not ("MatMul" or "Gemm") || node.Inputs.Count < 2) continue;
            if (!graph.Initializers.TryGetValue(node.Inputs[1], out var matrix) || matrix.Dims.Length != 2) continue;
            var key = HfKey(matrix.Name) ?? BiasOfConsumingAdd(node, graph, consumers)?.Replace(".bias", ".weight", StringComparison.Ordinal);
            if (key is null || !key.EndsWith(".weight", StringComparison.Ordinal)) continue;
            var transposed = node.OpType == "Gemm" && node.Attributes.TryGetValue("transB", out var tb) && tb.Int == 1;
            var data = matrix.ToFloats(source);
            weights[key] = transposed ? (data, matrix.Dims) : Transpose(data, matrix.Dims);
        }
        foreach (var t in graph.Initializers.Values)
            if (HfKey(t.Name) is { } key && !weights.ContainsKey(key) && t.DataType == OnnxTensor.Float && !key.EndsWith("position_ids", StringComparison.Ordinal))
                weights[key] = (t.ToFloats(source), t.Dims);

        if (!weights.ContainsKey("embeddings.word_embeddings.weight"))
            throw new ModelLoadException($"{source}: not a BERT-family encoder export (no 'embeddings.word_embeddings.weight' initializer; " +
                $"found {graph.Initializers.Count} initializers, e.g. {string.Join(", ", graph.Initializers.Keys.Take(5))}).", source);
        var layers = weights.Keys.Where(k => k.StartsWith("encoder.layer.", StringComparison.Ordinal))
            .Select(k => int.Parse(k.Split('.')[2], System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).Max() + 1;
        var expected = EmbeddingKeys.Concat(Enumerable.Range(0, layers).SelectMany(i => LayerKeys.Select(k => $"encoder.layer.{i}.{k}")));
        var missing = expected.Where(k => !weights.ContainsKey(k)).ToList();
        if (layers == 0 || missing.Count > 0)
            throw new ModelLoadException($"{source}: not a complete BERT encoder: {(layers == 0 ? "no encoder layers" : "missing " + string.Join(", ", missing.Take(8)) + (missing.Count > 8 ? $" (+{missing.Count - 8} more)" : ""))}.", source, missing.FirstOrDefault());
        // A pooler is kept only whole (MiniLM's export has one, arctic-embed's does not).
        if (!(weights.ContainsKey("pooler.dense.weight") && weights.ContainsKey("pooler.dense.bias")))
        {
            weights.Remove("pooler.dense.weight");
            weights.Remove("pooler.dense.bias");
        }
        return weights;
    }

    /// <summary>The HF BertModel key of an initializer name, or null for exporter-made names.</summary>
    static string? HfKey(string name)
    {
        var key = name.StartsWith("bert.", StringComparison.Ordinal) ? name["bert.".Length..] : name;
        return key.StartsWith("embeddings.", StringComparison.Ordinal) || key.StartsWith("encoder.layer.", StringComparison.Ordinal) ||
               key.StartsWith("pooler.", StringComparison.Ordinal) ? key : null;
    }

    static string? BiasOfConsumingAdd(OnnxNode matMul, OnnxGraph graph, Dictionary<string, List<OnnxNode>> consumers)
    {
        if (!consumers.TryGetValue(matMul.Outputs[0], out var next)) return null;
        foreach (var add in next.Where(n => n.OpType == "Add"))
            foreach (var input in add.Inputs)
                if (input != matMul.Outputs[0] && graph.Initializers.ContainsKey(input) && HfKey(input) is { } key && key.EndsWith(".bias", StringComparison.Ordinal))
                    return key;
        return null;
    }

    static (float[] Data, long[] Shape) Transpose(float[] data, long[] dims)
    {
        var (rows, cols) = ((int)dims[0], (int)dims[1]);
        var result = new float[data.Length];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++) result[c * rows + r] = data[r * cols + c];
        return (result, [cols, rows]);
    }
}
