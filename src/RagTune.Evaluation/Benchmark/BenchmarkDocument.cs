namespace RagTune.Evaluation.Benchmark;

/// <summary>A generated Markdown document: file name, title, body and which entity's attributes it states.</summary>
internal sealed record BenchmarkDocument(string FileName, string Title, string Body, string Entity, IReadOnlyList<string> Attributes)
{
    /// <summary>The file's content (<c># title</c>, blank line, body).</summary>
    public string Markdown => $"# {Title}\n\n{Body}\n";
}
