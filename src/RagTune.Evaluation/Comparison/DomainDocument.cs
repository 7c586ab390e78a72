namespace RagTune.Evaluation.Comparison;

/// <summary>A markdown document of a <see cref="SyntheticDomain"/>: several facts among filler sentences.</summary>
public sealed record DomainDocument(string Id, string Title, string Text)
{
    /// <summary>The file name the document is written under (<c>&lt;id&gt;.md</c>).</summary>
    public string FileName => Id + ".md";
}
