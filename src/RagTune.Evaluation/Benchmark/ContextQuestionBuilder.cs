using System.Text;
using Microsoft.Extensions.AI;
using RagTune.Retrieval.Chunking;
using RagTune.Retrieval.Generation;
using RagTune.Retrieval.Ingestion;
using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Store;

namespace RagTune.Evaluation.Benchmark;

/// <summary>
/// Questions answered from numbered sources, built exactly as the product's RAG path builds its prompt: the documents
/// read and chunked by the ingestion code, numbered by <see cref="GroundedPromptBuilder"/>, the passage that holds the
/// answer among what retrieval returns for a known person (that person's other passage, another person's passage).
/// Follow-up questions over the same sources ask about either person, so the answer depends on matching the name, not
/// only the kind of value; a question whose answer no source states is answered with the abstain sentence.
/// </summary>
internal sealed class ContextQuestionBuilder(IReadOnlyList<BenchmarkDocument> documents, GroundedAnswerOptions grounded)
{
    // A budget that never truncates: the generated documents are short, and the test-time budget is set so three fit.
    readonly GroundedPromptBuilder _prompt = new(grounded with { ContextTokens = 1 << 16, AnswerTokens = 64 });

    /// <summary>Share of follow-up questions on any person and attribute (the rest ask a fact some source states).</summary>
    public const double FollowUpAnyShare = 0.2;

    readonly Dictionary<string, StoredChunk> _chunks = documents.ToDictionary(d => d.FileName, Chunk, StringComparer.Ordinal);
    readonly Dictionary<string, List<BenchmarkDocument>> _byEntity =
        documents.GroupBy(d => d.Entity).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

    /// <summary>
    /// A conversation over <paramref name="topK"/> sources: first a question on <paramref name="attribute"/> of
    /// <paramref name="entity"/> (its sources lack the fact in a share <see cref="PretrainCorpusBuilder.UnanswerableShare"/>
    /// of cases unless <paramref name="alwaysAnswerable"/>), then <paramref name="questions"/> − 1 follow-ups.
    /// </summary>
    public ContextConversation Conversation(BenchmarkEntity entity, AttributeSpec attribute, IReadOnlyList<BenchmarkEntity> entities, int topK,
                                            int questions, Random rng, bool alwaysAnswerable = false)
    {
        var own = _byEntity[entity.Name];
        var unanswerable = !alwaysAnswerable && rng.NextDouble() < PretrainCorpusBuilder.UnanswerableShare;
        var sources = new List<BenchmarkDocument>();
        if (!unanswerable)
        {
            var holders = own.Where(d => d.Attributes.Contains(attribute.Key)).ToList();
            sources.Add(holders[rng.Next(holders.Count)]);
            var others = own.Where(d => !d.Attributes.Contains(attribute.Key)).ToList();
            sources.Add(others[rng.Next(others.Count)]);
        }
        while (sources.Count < topK)
        {
            var d = documents[rng.Next(documents.Count)];
            if (d.Entity != entity.Name && !sources.Contains(d)) sources.Add(d);
        }
        var ordered = sources.OrderBy(_ => rng.Next()).ToList();
        var byName = entities.Where(e => ordered.Any(d => d.Entity == e.Name) || e.Name == entity.Name).ToDictionary(e => e.Name, StringComparer.Ordinal);

        string Question(BenchmarkEntity e, AttributeSpec a) => AttributeSpec.Fill(a.TrainQuestions[rng.Next(a.TrainQuestions.Count)], e.Name);
        string Answer(BenchmarkEntity e, AttributeSpec a)
        {
            var holder = ordered.FindIndex(d => d.Entity == e.Name && d.Attributes.Contains(a.Key));
            return holder < 0 ? grounded.AbstainText : $"{e.Values[a.Key]} [{holder + 1}]";
        }

        var first = _prompt.Build(Question(entity, attribute), ordered.Select((d, i) => new RetrievedChunk(_chunks[d.FileName], 1.0 / (i + 1))).ToList());
        var answers = new List<string> { Answer(entity, attribute) };
        var followUps = new List<string>();
        var asked = new HashSet<(string, string)> { (entity.Name, attribute.Key) };
        var people = byName.Values.ToList();
        var stated = ordered.SelectMany(d => d.Attributes.Select(k => (Person: byName[d.Entity], Attribute: WorldVocabulary.Attributes.First(x => x.Key == k)))).ToList();
        for (var q = 1; q < questions; q++)
        {
            // Mostly facts the sources state (reading is what is to be learned); sometimes any person and attribute,
            // which the sources may not state (then declining is the answer).
            var (e, a) = rng.NextDouble() < FollowUpAnyShare || stated.Count == 0
                ? (people[rng.Next(people.Count)], WorldVocabulary.Attributes[rng.Next(WorldVocabulary.Attributes.Count)])
                : stated[rng.Next(stated.Count)];
            if (!asked.Add((e.Name, a.Key))) continue;
            followUps.Add(GroundedPromptBuilder.QuestionPart(Question(e, a)));
            answers.Add(Answer(e, a));
        }
        return new ContextConversation(first.Messages, answers, followUps);
    }

    /// <summary>A document as the knowledge base stores it: read by <see cref="MarkdownReader"/>, chunked by <see cref="StructuredChunker"/>.</summary>
    static StoredChunk Chunk(BenchmarkDocument d)
    {
        var source = new MarkdownReader().Read(d.FileName, Encoding.UTF8.GetBytes(d.Markdown)).Single();
        var first = new StructuredChunker(new ChunkingOptions { MaxTokens = 512, OverlapTokens = 0 }).Chunk(source)[0];
        return new StoredChunk(0, first.Id, source.Id, d.FileName, source.Title, first.Text, first.Start, first.End, first.Page, first.HeadingPath, first.Ordinal);
    }
}

/// <summary>A grounded conversation: the prompt (system + sources + first question), the answers, and the follow-up user turns between them.</summary>
internal sealed record ContextConversation(IReadOnlyList<ChatMessage> Prompt, IReadOnlyList<string> Answers, IReadOnlyList<string> FollowUps);

/// <summary>One question of the base model's reading check: the grounded prompt, the value it should answer, and the values of that kind the sources mention.</summary>
internal sealed record ReadingCheckItem(string Id, IReadOnlyList<ChatMessage> Prompt, string Answer, IReadOnlyList<string> ValuesInSources);
