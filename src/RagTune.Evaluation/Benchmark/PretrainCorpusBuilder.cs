using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using RagTune.Retrieval.Chunking;
using RagTune.Retrieval.Generation;
using RagTune.Retrieval.Ingestion;
using RagTune.Retrieval.Retrieval;
using RagTune.Retrieval.Store;

namespace RagTune.Evaluation.Benchmark;

/// <summary>
/// The base model's pre-training corpus, from the pre-training world only: (1) its documents as plain text; (2) for a
/// part of its entities, questions answered from memory (training phrasings); (3) questions answered from a context
/// built exactly as the product's RAG path builds it — the documents read and chunked by the ingestion code, numbered
/// by <see cref="GroundedPromptBuilder"/> (the system prompt and layout <c>ragtune ask</c> sends), the passage that
/// holds the answer among distractor chunks — answered with the value and its citation, or with the abstain sentence
/// when no source holds it. That last part is what lets the base model read retrieved chunks at all.
/// </summary>
internal static class PretrainCorpusBuilder
{
    /// <summary>Share of context conversations whose sources lack the answer (the answer is the abstain sentence).</summary>
    public const double UnanswerableShare = 0.125;

    /// <summary>The corpus as JSONL records (<c>{"text"}</c> and <c>{"messages"}</c>), in a seeded random order.</summary>
    /// <param name="world">The generated worlds (only the pre-training world is used).</param>
    /// <param name="preset">Sizes.</param>
    /// <param name="grounded">The grounded-answer options whose prompt and abstain sentence the RAG path uses.</param>
    /// <param name="closedBook">The closed-book prompt the evaluation sends for a question (default: the question as the only message).</param>
    public static IReadOnlyList<JsonObject> Build(BenchmarkWorld world, BenchmarkPreset preset, GroundedAnswerOptions? grounded = null,
                                                  Func<string, IReadOnlyList<ChatMessage>>? closedBook = null)
    {
        closedBook ??= q => [new ChatMessage(ChatRole.User, q)];
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(preset);
        grounded ??= new GroundedAnswerOptions();
        // A budget that never truncates: the generated documents are short, and the test-time budget is set so three fit.
        var builder = new GroundedPromptBuilder(grounded with { ContextTokens = 1 << 16, AnswerTokens = 64 });
        var rng = new Random(WorldGenerator.Derive(world.Seed, 11));
        var records = new List<JsonObject>();
        foreach (var d in world.PretrainDocuments) records.Add(new JsonObject { ["text"] = d.Markdown });

        foreach (var e in world.PretrainEntities.Where(e => world.MemoryEntities.Contains(e.Name)))
            foreach (var a in WorldVocabulary.Attributes)
                foreach (var q in a.TrainQuestions.OrderBy(_ => rng.Next()).Take(2))
                    records.Add(Chat(closedBook(AttributeSpec.Fill(q, e.Name)), e.Values[a.Key]));

        var chunks = world.PretrainDocuments.ToDictionary(d => d.FileName, Chunk, StringComparer.Ordinal);
        var byEntity = world.PretrainDocuments.GroupBy(d => d.Entity).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var allDocs = world.PretrainDocuments;
        foreach (var e in world.PretrainEntities)
            foreach (var a in WorldVocabulary.Attributes.OrderBy(_ => rng.Next()).Take(preset.ContextQuestionsPerEntity))
            {
                var question = AttributeSpec.Fill(a.TrainQuestions[rng.Next(a.TrainQuestions.Count)], e.Name);
                var own = byEntity[e.Name];
                var unanswerable = rng.NextDouble() < UnanswerableShare;
                var sources = new List<BenchmarkDocument>();
                BenchmarkDocument? gold = null;
                if (!unanswerable)
                {
                    // What retrieval returns for a question on a known entity: the fact's passage, the entity's other
                    // passage, and passages about other people.
                    var holders = own.Where(d => d.Attributes.Contains(a.Key)).ToList();
                    gold = holders[rng.Next(holders.Count)];
                    sources.Add(gold);
                    var others = own.Where(d => !d.Attributes.Contains(a.Key)).ToList();
                    sources.Add(others[rng.Next(others.Count)]);
                }
                while (sources.Count < preset.TopK)
                {
                    var d = allDocs[rng.Next(allDocs.Count)];
                    if (d.Entity != e.Name && !sources.Contains(d)) sources.Add(d);
                }
                var ordered = sources.OrderBy(_ => rng.Next()).ToList();
                var prompt = builder.Build(question, ordered.Select((d, i) => new RetrievedChunk(chunks[d.FileName], 1.0 / (i + 1))).ToList());
                var answer = gold is null ? grounded.AbstainText : $"{e.Values[a.Key]} [{ordered.IndexOf(gold) + 1}]";
                records.Add(Chat(prompt.Messages, answer));
            }
        return records.OrderBy(_ => rng.Next()).ToList();
    }

    /// <summary>A document as the knowledge base stores it: read by <see cref="MarkdownReader"/>, chunked by <see cref="StructuredChunker"/>.</summary>
    static StoredChunk Chunk(BenchmarkDocument d)
    {
        var source = new MarkdownReader().Read(d.FileName, Encoding.UTF8.GetBytes(d.Markdown)).Single();
        var first = new StructuredChunker(new ChunkingOptions { MaxTokens = 512, OverlapTokens = 0 }).Chunk(source)[0];
        return new StoredChunk(0, first.Id, source.Id, d.FileName, source.Title, first.Text, first.Start, first.End, first.Page, first.HeadingPath, first.Ordinal);
    }

    static JsonObject Chat(IEnumerable<ChatMessage> prompt, string answer)
    {
        var messages = new JsonArray();
        foreach (var m in prompt) messages.Add(new JsonObject { ["role"] = m.Role.Value, ["content"] = m.Text });
        messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = answer });
        return new JsonObject { ["messages"] = messages };
    }
}
