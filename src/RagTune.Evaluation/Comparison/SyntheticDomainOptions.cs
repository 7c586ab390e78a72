namespace RagTune.Evaluation.Comparison;

/// <summary>Size of a generated <see cref="SyntheticDomain"/>.</summary>
public sealed record SyntheticDomainOptions
{
    /// <summary>Fictional entities per kind (countries, engines, people); each has two facts. Default 12.</summary>
    public int EntitiesPerKind { get; init; } = 12;

    /// <summary>Entities described per document. Default 3.</summary>
    public int EntitiesPerDocument { get; init; } = 3;

    /// <summary>Filler sentences per entity paragraph. Default 2.</summary>
    public int FillerPerParagraph { get; init; } = 2;

    /// <summary>Share of facts whose value changes in the knowledge update. Default 0.25.</summary>
    public double UpdateFraction { get; init; } = 0.25;

    /// <summary>Candidate values per attribute (the answer pool). Default 16.</summary>
    public int ValuesPerAttribute { get; init; } = 16;

    /// <summary>The small domain <c>--quick</c> uses (tests).</summary>
    public static SyntheticDomainOptions Quick { get; } = new() { EntitiesPerKind = 5, ValuesPerAttribute = 10 };
}
