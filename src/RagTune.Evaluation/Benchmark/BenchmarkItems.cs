namespace RagTune.Evaluation.Benchmark;

/// <summary>A generated-answer test or training question. <see cref="Answers"/> is empty when <see cref="Unanswerable"/>.</summary>
internal sealed record QaItem(string Id, string Question, IReadOnlyList<string> Answers, bool Unanswerable, string Entity, string Attribute, IReadOnlyList<string> GoldDocuments);

/// <summary>A multiple-choice test question scored by option log-likelihood; <see cref="GoldDocuments"/> state its answer (recall@k).</summary>
internal sealed record McItem(string Id, string Question, IReadOnlyList<string> Options, int AnswerIndex, string Entity, string Attribute, IReadOnlyList<string> GoldDocuments);

/// <summary>A labelled text of the classification task.</summary>
internal sealed record ClassifyItem(string Id, string Text, string Label);
