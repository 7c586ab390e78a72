using RagTune.Retrieval.Generation;
using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Store;

namespace RagTune.Evaluation.Benchmark;

/// <summary>
/// Reading drills: short grounded conversations in exactly the layout of <c>ragtune ask</c> (the system prompt, numbered
/// sources with a title and heading, the question, follow-ups), but each source (as many as the <see cref="DrillShape"/>
/// allows) holds only one or two sentences about one of two people invented for this drill alone — a new name and new
/// values every time, so an answer can never be recalled, only read. Sentences use the statement and distractor templates of the worlds; questions
/// use only the training phrasings. A question on a fact no source states is answered with the abstain sentence.
/// </summary>
/// <remarks>
/// Short sources are what let a small model find the reading circuit at all: in the ~450-token grounded prompts of the
/// corpus the few value tokens are a sliver of what a head attends to, and the loss never leaves its plateau within the
/// budget; in ~150-token drills it does (README, session 9).
/// </remarks>
internal sealed class ReadingDrillBuilder(GroundedAnswerOptions grounded, IEnumerable<string> reservedNames)
{
    readonly GroundedPromptBuilder _prompt = new(grounded with { ContextTokens = 1 << 16, AnswerTokens = 64 });

    // A drill name never shares its first part with a world's name, so no world name is even a substring of a drill.
    readonly HashSet<string> _reservedFirstParts = reservedNames.Select(n => n.Split(' ')[0]).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>One drill of <paramref name="shape"/>; null when the draw stated no fact (nothing to ask).</summary>
    public ContextConversation? Drill(Random rng, DrillShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var attributes = WorldVocabulary.Attributes;
        var (first, second) = (NewPerson(rng), NewPerson(rng));
        var facts = new List<(BenchmarkEntity Person, AttributeSpec Attribute, int Source)>();
        var chunks = new List<RetrievedChunk>();
        var sources = rng.Next(1, shape.MaxSources + 1);
        for (var s = 0; s < sources; s++)
        {
            var person = s == 0 || rng.Next(2) == 0 ? first : second;
            var sentences = new List<string>();
            for (int f = 0, count = rng.Next(1, shape.MaxSentences + 1); f < count; f++)
            {
                var a = attributes[rng.Next(attributes.Count)];
                if (facts.Any(x => x.Person == person && x.Attribute == a)) continue;
                if (shape.DistractorShare > 0 && rng.NextDouble() < shape.DistractorShare)
                {
                    sentences.Add(AttributeSpec.Fill(a.Distractors[rng.Next(a.Distractors.Count)], person.Name, a.Values[rng.Next(a.Values.Count)]));
                    continue;
                }
                sentences.Add(AttributeSpec.Fill(a.Statements[rng.Next(a.Statements.Count)], person.Name, person.Values[a.Key]));
                facts.Add((person, a, s + 1));
            }
            var title = AttributeSpec.Fill(WorldVocabulary.Titles[rng.Next(WorldVocabulary.Titles.Count)], person.Name);
            var text = $"# {title}\n\n{string.Join(" ", sentences)}";
            chunks.Add(new RetrievedChunk(new StoredChunk(0, $"drill-{s}", $"drill-{s}", $"drill-{s}.md", title, text, 0, text.Length, null, title, 0), 1.0 / (s + 1)));
        }
        string Question(BenchmarkEntity e, AttributeSpec a) => AttributeSpec.Fill(a.TrainQuestions[rng.Next(a.TrainQuestions.Count)], e.Name);
        var asked = facts.OrderBy(_ => rng.Next()).Select(x => (Question: Question(x.Person, x.Attribute), Answer: $"{x.Person.Values[x.Attribute.Key]} [{x.Source}]")).ToList();
        if (shape.UnanswerableShare > 0 && rng.NextDouble() < shape.UnanswerableShare)
        {
            var (e, a) = (rng.Next(2) == 0 ? first : second, attributes[rng.Next(attributes.Count)]);
            if (!facts.Any(x => x.Person == e && x.Attribute == a)) asked.Insert(rng.Next(asked.Count + 1), (Question(e, a), grounded.AbstainText));
        }
        if (asked.Count == 0) return null;
        var prompt = _prompt.Build(asked[0].Question, chunks);
        return new ContextConversation(prompt.Messages, asked.Select(x => x.Answer).ToList(),
            asked.Skip(1).Select(x => GroundedPromptBuilder.QuestionPart(x.Question)).ToList());
    }

    /// <summary>A person of this drill only: a generated name whose first part no world entity has, and random values.</summary>
    BenchmarkEntity NewPerson(Random rng)
    {
        string first;
        do first = WorldGenerator.NamePart(rng, 2);
        while (_reservedFirstParts.Contains(first));
        return new BenchmarkEntity($"{first} {WorldGenerator.NamePart(rng, rng.Next(2, 4))}", WorldVocabulary.Attributes.ToDictionary(a => a.Key, a => a.Values[rng.Next(a.Values.Count)]));
    }
}

/// <summary>How much a reading drill holds: sources, sentences per source, and the shares of distractor sentences and unanswerable questions.</summary>
internal sealed record DrillShape(int MaxSources, int MaxSentences, double DistractorShare, double UnanswerableShare)
{
    /// <summary>
    /// One source of one sentence, one question on it: the value to copy is the only one in the context. A model learns
    /// to copy from these in a few hundred steps, before it can find a value among others (README, session 10).
    /// </summary>
    public static DrillShape Simple { get; } = new(1, 1, 0, 0);

    /// <summary>One to three sources of one or two sentences, a fifth of them distractors; 15 % of drills ask one more question no source answers.</summary>
    public static DrillShape Full { get; } = new(3, 2, 0.2, 0.15);
}
