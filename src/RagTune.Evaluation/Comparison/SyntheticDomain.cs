using System.Text;

namespace RagTune.Evaluation.Comparison;

/// <summary>
/// A fictional knowledge domain generated from a seed, so that no model can know it beforehand and every run can
/// check answers exactly: countries, engines and people with two attributes each ("The capital of Veltoria is
/// Marnis."), markdown documents stating several facts among filler, one question per fact, and a knowledge update
/// that changes some facts later (for freshness). The same seed and options give the same domain.
/// </summary>
public sealed class SyntheticDomain
{
    sealed record AttributeSpec(string Kind, string Name, string Statement, string Question);

    // {0} = subject, {1} = value. Every statement ends with the value so a reader copies the last word.
    static readonly AttributeSpec[] Attributes =
    [
        new("country", "capital", "The capital of {0} is {1}.", "What is the capital of {0}?"),
        new("country", "language", "The people of {0} speak {1}.", "What language do the people of {0} speak?"),
        new("engine", "maker", "The {0} engine was made by {1}.", "Who made the {0} engine?"),
        new("engine", "fuel", "The {0} engine runs on {1}.", "What does the {0} engine run on?"),
        new("person", "home", "{0} lives in {1}.", "Where does {0} live?"),
        new("person", "instrument", "{0} plays the {1}.", "What instrument does {0} play?"),
    ];

    static readonly string[] Kinds = ["country", "engine", "person"];

    static readonly string[] Filler =
    [
        "The weather there is mild in spring.", "Many visitors arrive by train.", "Old maps show a different border.",
        "The local market opens early on weekdays.", "Scholars still argue about its history.", "Few records survive from the early years.",
        "It is often mentioned in travel guides.", "The winters are long and quiet.", "A small museum tells the story.",
        "Most of the archive was written by hand.", "Some details are known only from letters.", "The first survey took three summers.",
        "Children learn the old songs at school.", "The roads were improved a decade ago.", "Festivals are held when the harvest ends.",
        "The name appears in several old poems.", "Engineers visit it to study the design.", "The workshop keeps careful notes.",
    ];

    static readonly string[] Syllables =
    [
        "vel", "tor", "mar", "nis", "quor", "vex", "dra", "lco", "zen", "thal", "bri", "sko", "ran", "dul", "per", "kai",
        "mo", "ve", "lin", "gar", "oth", "ys", "fen", "cor", "ul", "tre", "nak", "sa", "bel", "rho", "dim", "ast",
    ];

    SyntheticDomain(int seed, SyntheticDomainOptions options, IReadOnlyList<DomainFact> facts, IReadOnlyList<DomainDocument> documents,
        IReadOnlyList<DomainFact> updatedFacts, IReadOnlyList<DomainDocument> updatedDocuments, IReadOnlyDictionary<string, IReadOnlyList<string>> valuePools)
    {
        Seed = seed;
        Options = options;
        Facts = facts;
        Documents = documents;
        UpdatedFacts = updatedFacts;
        UpdatedDocuments = updatedDocuments;
        ValuePools = valuePools;
        ChangedFacts = updatedFacts.Where(u => facts.First(f => f.Id == u.Id).Value != u.Value).ToList();
    }

    /// <summary>The seed the domain was generated from.</summary>
    public int Seed { get; }

    /// <summary>The size options.</summary>
    public SyntheticDomainOptions Options { get; }

    /// <summary>Every fact before the update, in generation order.</summary>
    public IReadOnlyList<DomainFact> Facts { get; }

    /// <summary>The documents before the update.</summary>
    public IReadOnlyList<DomainDocument> Documents { get; }

    /// <summary>Every fact after the update (same ids; some values changed).</summary>
    public IReadOnlyList<DomainFact> UpdatedFacts { get; }

    /// <summary>The facts whose value the update changed (their new version).</summary>
    public IReadOnlyList<DomainFact> ChangedFacts { get; }

    /// <summary>The new versions of the documents the update touched (same ids and file names).</summary>
    public IReadOnlyList<DomainDocument> UpdatedDocuments { get; }

    /// <summary>Candidate values per attribute name (answers are drawn from these).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ValuePools { get; }

    /// <summary>The attribute names, in a fixed order.</summary>
    public static IReadOnlyList<string> AttributeNames { get; } = Attributes.Select(a => a.Name).ToList();

    /// <summary>A statement of <paramref name="attribute"/> (e.g. for practice contexts with invented pairings).</summary>
    public static string Statement(string attribute, string subject, string value) =>
        string.Format(Spec(attribute).Statement, subject, value);

    /// <summary>The question asking for <paramref name="attribute"/> of <paramref name="subject"/>.</summary>
    public static string Question(string attribute, string subject) => string.Format(Spec(attribute).Question, subject);

    /// <summary>The entity kind (country, engine, person) an attribute belongs to.</summary>
    public static string KindOf(string attribute) => Spec(attribute).Kind;

    /// <summary>Every text the domain can produce (documents before and after the update, questions), for vocabularies.</summary>
    public IEnumerable<string> AllText() =>
        Documents.Select(d => d.Text).Concat(UpdatedDocuments.Select(d => d.Text)).Concat(Facts.Select(f => f.Question))
            .Concat(Filler).Concat(ValuePools.Values.SelectMany(v => v))
            .Concat(Attributes.Select(a => string.Format(a.Statement + " " + a.Question, "x", "y")));

    /// <summary>Generates the domain of <paramref name="seed"/>.</summary>
    public static SyntheticDomain Generate(int seed, SyntheticDomainOptions? options = null)
    {
        options ??= new SyntheticDomainOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.EntitiesPerKind);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.EntitiesPerDocument);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ValuesPerAttribute, 2);
        var random = new Random(seed);
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pools = Attributes.ToDictionary(a => a.Name,
            a => (IReadOnlyList<string>)Enumerable.Range(0, options.ValuesPerAttribute).Select(_ => NewName(random, used)).ToList());
        var entities = Kinds.SelectMany(kind => Enumerable.Range(0, options.EntitiesPerKind).Select(_ => (Kind: kind, Name: NewName(random, used))))
            .OrderBy(_ => random.Next()).ToList();
        var docOf = entities.Select((e, i) => (e.Name, Doc: $"doc{i / options.EntitiesPerDocument + 1:D3}"))
            .ToDictionary(x => x.Name, x => x.Doc);

        var facts = new List<DomainFact>();
        foreach (var (kind, name) in entities)
            foreach (var spec in Attributes.Where(a => a.Kind == kind))
            {
                var value = pools[spec.Name][random.Next(pools[spec.Name].Count)];
                facts.Add(new DomainFact($"f{facts.Count + 1:D3}", name, spec.Name, value,
                    string.Format(spec.Statement, name, value), string.Format(spec.Question, name), docOf[name]));
            }

        // The update draws after everything else so the pre-update domain does not depend on UpdateFraction.
        var changeCount = (int)Math.Round(facts.Count * options.UpdateFraction);
        var changed = facts.OrderBy(_ => random.Next()).Take(changeCount).Select(f => f.Id).ToHashSet();
        var updated = facts.Select(f =>
        {
            if (!changed.Contains(f.Id)) return f;
            var pool = pools[f.Attribute];
            var value = pool.Where(v => v != f.Value).ElementAt(random.Next(pool.Count - 1));
            return f with { Value = value, Statement = Statement(f.Attribute, f.Subject, value) };
        }).ToList();

        // Filler is drawn per paragraph from a generator of its own, so a document's text changes only where its facts do.
        var fillerSeed = random.Next();
        var documents = BuildDocuments(entities, facts, options, fillerSeed);
        var updatedDocIds = updated.Where(f => changed.Contains(f.Id)).Select(f => f.DocumentId).ToHashSet();
        var updatedDocuments = BuildDocuments(entities, updated, options, fillerSeed).Where(d => updatedDocIds.Contains(d.Id)).ToList();
        return new SyntheticDomain(seed, options, facts, documents, updated, updatedDocuments, pools);
    }

    static List<DomainDocument> BuildDocuments(List<(string Kind, string Name)> entities, List<DomainFact> facts,
        SyntheticDomainOptions options, int fillerSeed)
    {
        var documents = new List<DomainDocument>();
        foreach (var group in entities.Select((e, i) => (e, i)).GroupBy(x => x.i / options.EntitiesPerDocument))
        {
            var id = $"doc{group.Key + 1:D3}";
            var names = group.Select(x => x.e.Name).ToList();
            var title = "Notes on " + string.Join(", ", names);
            var text = new StringBuilder($"# {title}\n\n");
            foreach (var (entity, index) in group)
            {
                var filler = new Random(fillerSeed + index);
                var sentences = facts.Where(f => f.Subject == entity.Name).Select(f => f.Statement).ToList();
                for (var i = 0; i < options.FillerPerParagraph; i++)
                    sentences.Insert(filler.Next(sentences.Count + 1), Filler[filler.Next(Filler.Length)]);
                text.Append($"## {entity.Name}\n\n").Append(string.Join(" ", sentences)).Append("\n\n");
            }
            documents.Add(new DomainDocument(id, title, text.ToString()));
        }
        return documents;
    }

    static string NewName(Random random, HashSet<string> used)
    {
        while (true)
        {
            var parts = 2 + random.Next(2);
            var name = string.Concat(Enumerable.Range(0, parts).Select(_ => Syllables[random.Next(Syllables.Length)]));
            name = char.ToUpperInvariant(name[0]) + name[1..];
            if (used.Add(name)) return name;
        }
    }

    static AttributeSpec Spec(string attribute) => Attributes.FirstOrDefault(a => a.Name == attribute)
        ?? throw new ArgumentException($"Unknown attribute '{attribute}'. Known: {string.Join(", ", AttributeNames)}.", nameof(attribute));
}
