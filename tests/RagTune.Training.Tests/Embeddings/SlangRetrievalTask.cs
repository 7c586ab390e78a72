using RagTune.Training.Embeddings;

namespace RagTune.Training.Tests.Embeddings;

/// <summary>
/// A retrieval task a pretrained encoder cannot solve but can learn: passages state attributes of invented places
/// ("The highest mountain of Velmora is Strunk."), queries ask with invented slang for the attribute ("skarn of
/// Velmora"). Every place has a passage per attribute, so the place name alone narrows a query to that many passages;
/// only the slang → attribute mapping, learned on some places and tested on others, ranks the right one first.
/// Each training pair carries a hard negative (same place, another attribute).
/// </summary>
internal static class SlangRetrievalTask
{
    static readonly (string Phrase, string Slang)[] Attributes =
    [
        ("capital city", "blorf"), ("main export", "zint"), ("highest mountain", "skarn"), ("national sport", "quib"),
        ("oldest university", "drell"), ("largest lake", "fomp"), ("official language", "trask"), ("famous dish", "yorl"),
        ("currency", "plen"), ("national bird", "vusk"), ("busiest port", "grint"), ("longest river", "smeb"),
        ("ruling party", "klov"), ("patron saint", "ushk"), ("main airport", "brane"), ("state religion", "nolt"),
    ];

    static readonly string[] Syllables = ["vel", "mor", "kes", "tri", "an", "dor", "lu", "sa", "ven", "ost", "ra", "bel", "quin", "tar", "ze", "phi"];

    public static (List<EmbeddingPair> Train, List<EmbeddingPair> HeldOut) Build(int trainPlaces, int heldOutPlaces, int seed = 1)
    {
        var random = new Random(seed);
        string Name() => string.Concat(Enumerable.Range(0, 3).Select(_ => Syllables[random.Next(Syllables.Length)])) is var n ? char.ToUpperInvariant(n[0]) + n[1..] : "";
        var places = new HashSet<string>();
        while (places.Count < trainPlaces + heldOutPlaces) places.Add(Name());
        var list = places.ToList();
        List<EmbeddingPair> PairsFor(IEnumerable<string> names) => names.SelectMany(place =>
        {
            var passages = Attributes.Select(a => $"The {a.Phrase} of {place} is {Name()}.").ToArray();
            return Attributes.Select((a, i) => new EmbeddingPair($"{a.Slang} of {place}", passages[i], passages[(i + 1 + random.Next(Attributes.Length - 1)) % Attributes.Length]));
        }).ToList();
        return (PairsFor(list.Take(trainPlaces)), PairsFor(list.Skip(trainPlaces)));
    }
}
