namespace RagTune.Evaluation.Benchmark;

/// <summary>A fictional person of a generated world with one value per attribute (keys of <see cref="WorldVocabulary.Attributes"/>).</summary>
internal sealed record BenchmarkEntity(string Name, IReadOnlyDictionary<string, string> Values);
