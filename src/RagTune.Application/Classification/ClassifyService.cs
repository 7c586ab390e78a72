using System.Text.Json;
using RagTune.Training.Data;
using RagTune.Training.Reporting;

namespace RagTune.Application;

/// <summary>Classifies a JSONL file with a sequence classifier and scores it where lines carry labels.</summary>
public static class ClassifyService
{
    /// <summary>
    /// Predicts every <c>{"text"[, "label"]}</c> line of <paramref name="dataPath"/>; <paramref name="each"/> hears
    /// each prediction as it is made. Labels must be among the model's.
    /// </summary>
    /// <exception cref="ServiceException">The file is missing or malformed, or a label is not one of the model's.</exception>
    public static ClassificationReport ClassifyFile(Classifier classifier, string dataPath, IProgress<LabelledPrediction>? each = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        List<JsonlReader.Record> records;
        try { records = JsonlReader.Read(dataPath); }
        catch (DatasetException e) { throw new ServiceException(e.Message, ServiceErrorKind.BadInput, e); }
        var label2id = classifier.Labels.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);
        var predictions = new List<LabelledPrediction>();
        foreach (var rec in records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string text;
            try { text = JsonlReader.RequireString(rec, "text", dataPath); }
            catch (DatasetException e) { throw new ServiceException(e.Message, ServiceErrorKind.BadInput, e); }
            var prediction = classifier.Predict(text);
            int? gold = null;
            if (rec.Json.TryGetProperty("label", out var l) && l.ValueKind == JsonValueKind.String)
                gold = label2id.TryGetValue(l.GetString()!, out var g)
                    ? g
                    : throw new ServiceException($"{dataPath}:{rec.Line}: label \"{l.GetString()}\" is not one of the model's labels ({string.Join(", ", label2id.Keys)}).");
            var labelled = new LabelledPrediction(rec.Line, prediction, gold);
            predictions.Add(labelled);
            each?.Report(labelled);
        }
        var scored = predictions.Where(p => p.GoldId is not null).ToList();
        if (scored.Count == 0) return new ClassificationReport(predictions, 0, null, null);
        var (accuracy, f1) = EvalMetrics.Classification(scored.Select(p => p.GoldId!.Value).ToList(), scored.Select(p => p.Prediction.Id).ToList());
        return new ClassificationReport(predictions, scored.Count, accuracy, f1);
    }
}
