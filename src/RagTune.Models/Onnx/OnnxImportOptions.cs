namespace RagTune.Models.Onnx;

/// <summary>What the ONNX file does not say about the sentence encoder: pooling, normalisation, length limit, query prefix.</summary>
/// <param name="Pooling">How token vectors become a sentence vector (sentence-transformers' Pooling module).</param>
/// <param name="Normalize">L2-normalise sentence vectors (a Normalize module in <c>modules.json</c>).</param>
/// <param name="MaxSequenceLength">Tokens per input (<c>sentence_bert_config.json</c>); null: the model's position limit.</param>
/// <param name="QueryPrefix">Text put before queries (not passages), e.g. arctic-embed's instruction; null: none.</param>
/// <param name="DoLowerCase">The vocabulary is uncased (BertTokenizer's <c>do_lower_case</c>).</param>
public sealed record OnnxImportOptions(
    PoolingMode Pooling = PoolingMode.Mean,
    bool Normalize = true,
    int? MaxSequenceLength = null,
    string? QueryPrefix = null,
    bool DoLowerCase = true);
