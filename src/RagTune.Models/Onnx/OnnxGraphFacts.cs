namespace RagTune.Models.Onnx;

/// <summary>Hyper-parameters of a BERT graph that no weight shape shows: the head count, the LayerNorm epsilon, the GELU form.</summary>
internal static class OnnxGraphFacts
{
    /// <summary>
    /// The attention head count: from a Reshape to (…, heads, head_dim) with heads · head_dim = hidden (its shape a
    /// constant or a Concat of constants, as torch.onnx writes for <c>view(b, t, nh, hd)</c>), else from the attention
    /// scale 1/√head_dim (a Div by √hd or a Mul by 1/√hd before the Softmax).
    /// </summary>
    public static int? AttentionHeads(OnnxGraph graph, int hidden)
    {
        var producers = Producers(graph);
        var votes = new Dictionary<int, int>();
        foreach (var reshape in graph.Nodes.Where(n => n.OpType == "Reshape" && n.Inputs.Count == 2))
        {
            var shape = ShapeValues(graph, producers, reshape.Inputs[1]);
            if (shape is not { Count: 4 } || shape[2] is not { } heads || shape[3] is not { } headDim) continue;
            if (heads > 1 && headDim > 1 && heads * headDim == hidden) votes[(int)heads] = votes.GetValueOrDefault((int)heads) + 1;
        }
        if (votes.Count > 0) return votes.MaxBy(kv => kv.Value).Key;

        foreach (var node in graph.Nodes.Where(n => n.OpType is "Div" or "Mul" && n.Inputs.Count == 2))
        {
            if (graph.Constant(node.Inputs[1])?.ToDoubles() is not [var c]) continue;
            var headDim = node.OpType == "Div" ? c * c : 1 / (c * c);
            var rounded = (int)Math.Round(headDim);
            if (rounded > 1 && Math.Abs(headDim - rounded) < 1e-3 && hidden % rounded == 0 && hidden / rounded > 1 && FeedsSoftmax(graph, node))
                return hidden / rounded;
        }
        return null;
    }

    /// <summary>The LayerNorm epsilon: a LayerNormalization node's attribute or the constant added before Sqrt in the decomposed form.</summary>
    public static double? LayerNormEpsilon(OnnxGraph graph)
    {
        if (graph.Nodes.FirstOrDefault(n => n.OpType == "LayerNormalization") is { } ln)
            return ln.Attributes.TryGetValue("epsilon", out var e) && e.Float is { } eps ? eps : 1e-5;
        var producers = Producers(graph);
        var values = new List<double>();
        foreach (var sqrt in graph.Nodes.Where(n => n.OpType == "Sqrt"))
            if (producers.TryGetValue(sqrt.Inputs[0], out var add) && add.OpType == "Add")
                foreach (var input in add.Inputs)
                    if (graph.Constant(input)?.ToDoubles() is [var v] && v > 0 && v < 1e-3) values.Add(v);
        if (values.Count == 0) return null;
        // The file stores fp32: 1e-12 comes back as 9.9999999e-13; keep what a config would say.
        var common = values.GroupBy(v => v).MaxBy(g => g.Count())!.Key;
        return double.Parse(((float)common).ToString("G6", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Whether the graph computes the exact GELU (x·Φ(x) through Erf) rather than the tanh approximation.</summary>
    public static bool UsesErf(OnnxGraph graph) => graph.Nodes.Any(n => n.OpType == "Erf");

    static Dictionary<string, OnnxNode> Producers(OnnxGraph graph)
    {
        var producers = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var n in graph.Nodes)
            foreach (var o in n.Outputs) producers[o] = n;
        return producers;
    }

    /// <summary>A shape operand's entries where they are constants (null for runtime values such as batch size).</summary>
    static List<long?>? ShapeValues(OnnxGraph graph, Dictionary<string, OnnxNode> producers, string name)
    {
        if (graph.Constant(name) is { } constant) return constant.ToDoubles().Select(v => (long?)v).ToList();
        if (!producers.TryGetValue(name, out var concat) || concat.OpType != "Concat") return null;
        var values = new List<long?>();
        foreach (var part in concat.Inputs)
        {
            if (graph.Constant(part) is { } c) values.AddRange(c.ToDoubles().Select(v => (long?)v));
            else values.Add(null);
        }
        return values;
    }

    static bool FeedsSoftmax(OnnxGraph graph, OnnxNode start)
    {
        var frontier = new HashSet<string>(start.Outputs);
        for (var step = 0; step < 3; step++)
        {
            var next = graph.Nodes.Where(n => n.Inputs.Any(frontier.Contains)).ToList();
            if (next.Any(n => n.OpType == "Softmax")) return true;
            frontier = [.. next.SelectMany(n => n.Outputs)];
        }
        return false;
    }
}
