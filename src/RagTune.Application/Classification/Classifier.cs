using RagTune.Models;
using RagTune.Models.Tokenization;
using RagTune.Training.Data;
using RagTune.Training.Lora;
using static TorchSharp.torch;

namespace RagTune.Application;

/// <summary>
/// A loaded sequence classifier (full checkpoint or LoRA adapter folder with <c>labels.json</c>) and its tokenizer.
/// Owns the model. <see cref="Predict"/> is thread-compatible, not thread-safe: one caller at a time.
/// </summary>
public sealed class Classifier : IDisposable
{
    readonly ISequenceClassifier _model;
    readonly ITokenizer _tokenizer;
    readonly int _maxSeqLen;

    Classifier(ISequenceClassifier model, ITokenizer tokenizer, int maxSeqLen) => (_model, _tokenizer, _maxSeqLen) = (model, tokenizer, maxSeqLen);

    /// <summary>Loads the classifier in <paramref name="dir"/>; texts are truncated to <paramref name="maxSeqLen"/> tokens.</summary>
    /// <exception cref="ServiceException">The folder is missing or its files do not load.</exception>
    public static Classifier Open(string dir, int maxSeqLen = 512)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSeqLen);
        var model = LoadErrors.Guard(dir, () => AdapterFolder.LoadSequenceClassifier(dir));
        try { return new Classifier(model, ModelClients.LoadTokenizer(dir), maxSeqLen); }
        catch { model.Dispose(); throw; }
    }

    /// <summary>Class id → label name (<c>id2label</c>).</summary>
    public IReadOnlyDictionary<int, string> Labels => _model.Config.Id2Label;

    /// <summary>The label name of a class id (<c>LABEL_i</c> when the config names none).</summary>
    public string LabelName(int id) => Labels.TryGetValue(id, out var n) ? n : $"LABEL_{id}";

    /// <summary>The most probable class of <paramref name="text"/>.</summary>
    public Prediction Predict(string text)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var ids = _tokenizer.Encode(text, addSpecialTokens: true).Take(_maxSeqLen).ToArray();
        var pad = _tokenizer.PadTokenId ?? _tokenizer.EosTokenId ?? 0;
        using var batch = TrainingBatch.Collate([TrainingExample.ForClass(ids, 0)], pad, classification: true);
        var probs = _model.Forward(batch.InputIds, batch.AttentionMask).softmax(-1)[0];
        var id = (int)probs.argmax().item<long>();
        return new Prediction(id, LabelName(id), probs[id].item<float>());
    }

    /// <inheritdoc/>
    public void Dispose() => _model.Dispose();
}
