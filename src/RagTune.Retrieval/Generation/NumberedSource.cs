using RagTune.Retrieval.Retrieval;

namespace RagTune.Retrieval.Generation;

/// <summary>A source as the prompt numbers it: <c>[Number]</c>, the retrieved chunk and the text that was actually
/// included (the chunk's text, or its start when the budget cut it), which is <c>document[Start..End]</c>.</summary>
public sealed record NumberedSource(int Number, RetrievedChunk Retrieved, string Text, int Start, int End);
