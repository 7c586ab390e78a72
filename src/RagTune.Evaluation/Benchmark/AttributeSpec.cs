namespace RagTune.Evaluation.Benchmark;

/// <summary>
/// One attribute of the generated entities: its values, the sentences that state it (<c>{e}</c> = entity,
/// <c>{v}</c> = value), the question phrasings used in training data and the held-out phrasings only test items use,
/// and distractor sentences that put another value of the same kind next to the entity's name.
/// </summary>
internal sealed record AttributeSpec(
    string Key,
    IReadOnlyList<string> Values,
    IReadOnlyList<string> Statements,
    IReadOnlyList<string> TrainQuestions,
    IReadOnlyList<string> TestQuestions,
    IReadOnlyList<string> Distractors)
{
    /// <summary>Fills a template.</summary>
    public static string Fill(string template, string entity, string? value = null) =>
        template.Replace("{e}", entity, StringComparison.Ordinal).Replace("{v}", value ?? "", StringComparison.Ordinal);
}
