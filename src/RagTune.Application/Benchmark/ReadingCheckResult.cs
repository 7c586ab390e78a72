using System.Text.Json.Serialization;
using RagTune.Evaluation.Compare.Reports;

namespace RagTune.Application.Benchmark;

/// <summary>The reading check's scores.</summary>
/// <param name="Items">Questions asked.</param>
/// <param name="ExactMatch">Answer = the asked value.</param>
/// <param name="ValueFromSources">Answer = some value of the asked kind the sources mention.</param>
/// <param name="Abstained">Answer = the abstain sentence (every item is answerable).</param>
/// <param name="ChanceFromSources">Exact match of a reader that picks one of the mentioned values of the asked kind at random.</param>
/// <param name="Predictions">Every question's id, expected value and the model's answer.</param>
public sealed record ReadingCheckResult(
    [property: JsonPropertyName("items")] int Items,
    [property: JsonPropertyName("exact_match")] MetricValue ExactMatch,
    [property: JsonPropertyName("value_from_sources")] MetricValue ValueFromSources,
    [property: JsonPropertyName("abstained")] MetricValue Abstained,
    [property: JsonPropertyName("chance_from_sources")] double ChanceFromSources,
    [property: JsonPropertyName("predictions")] IReadOnlyList<ReadingCheckPrediction> Predictions);

/// <summary>One reading-check answer.</summary>
public sealed record ReadingCheckPrediction(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("answer")] string Answer,
    [property: JsonPropertyName("prediction")] string Prediction);
