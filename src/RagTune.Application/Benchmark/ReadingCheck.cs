using Microsoft.Extensions.AI;
using RagTune.Evaluation.Benchmark;
using RagTune.Evaluation.Compare.Metrics;
using RagTune.Evaluation.Compare.Reports;
using RagTune.Evaluation.Compare.Statistics;

namespace RagTune.Application.Benchmark;

/// <summary>
/// Can the base model read? Greedy answers to grounded questions about held-out entities of the pre-training world
/// (<see cref="PretrainCorpusBuilder.ReadingCheck"/>; never in the corpus, never the test world): exact match, how
/// often the answer is some value of the asked kind that the sources mention (reading the kind but not the person), and
/// how often it declines. This is what the pre-training budget was chosen on; the demo reports it beside the results.
/// </summary>
internal static class ReadingCheck
{
    /// <summary>Answers every item with <paramref name="chat"/> and scores it.</summary>
    public static async Task<ReadingCheckResult> RunAsync(IChatClient chat, IReadOnlyList<ReadingCheckItem> items, int seed, IProgress<string>? progress,
                                                          CancellationToken cancellationToken)
    {
        var exact = new List<double>();
        var inSources = new List<double>();
        var abstained = new List<double>();
        var predictions = new List<ReadingCheckPrediction>();
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var answer = (await chat.GetResponseAsync(item.Prompt, new ChatOptions { MaxOutputTokens = 8, Temperature = 0 }, cancellationToken).ConfigureAwait(false)).Text.Trim();
            predictions.Add(new ReadingCheckPrediction(item.Id, item.Answer, answer));
            exact.Add(QaMetrics.ExactMatch(answer, [item.Answer]));
            inSources.Add(QaMetrics.ExactMatch(answer, item.ValuesInSources));
            abstained.Add(QaMetrics.IsAbstention(answer) ? 1 : 0);
            if (exact.Count % 50 == 0) progress?.Report($"reading check {exact.Count}/{items.Count}");
        }
        MetricValue Metric(List<double> v)
        {
            var (low, high) = Bootstrap.MeanInterval(v, seed);
            return new MetricValue(v.Average(), low, high, v.Count);
        }
        // Guessing a value of the asked kind that the sources mention: 1 / (number of such values), averaged.
        var chance = items.Average(i => i.ValuesInSources.Count == 0 ? 0 : 1.0 / i.ValuesInSources.Count);
        return new ReadingCheckResult(items.Count, Metric(exact), Metric(inSources), Metric(abstained), chance, predictions);
    }
}
