using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using RagTune.Retrieval.Generation;

namespace RagTune.Evaluation.Benchmark;

/// <summary>
/// The base model's pre-training corpus, from the pre-training world only: (1) its documents as plain text; (2) for a
/// part of its entities, questions answered from memory (training phrasings); (3) about other people, who occur nowhere
/// else (<see cref="BenchmarkWorld.ReadingEntities"/>, so recalling cannot stand in for reading), questions answered from a context
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
        var rng = new Random(WorldGenerator.Derive(world.Seed, 11));
        var records = new List<JsonObject>();
        foreach (var d in world.PretrainDocuments) records.Add(new JsonObject { ["text"] = d.Markdown });

        foreach (var e in world.PretrainEntities.Where(e => world.MemoryEntities.Contains(e.Name)))
            foreach (var a in WorldVocabulary.Attributes)
                foreach (var q in a.TrainQuestions.OrderBy(_ => rng.Next()).Take(2))
                    records.Add(Chat(closedBook(AttributeSpec.Fill(q, e.Name)), e.Values[a.Key]));

        var reading = new ContextQuestionBuilder(world.ReadingDocuments, grounded);
        foreach (var e in world.ReadingEntities)
        {
            var a = WorldVocabulary.Attributes[rng.Next(WorldVocabulary.Attributes.Count)];
            records.Add(Chat(reading.Conversation(e, a, world.ReadingEntities, preset.TopK, preset.QuestionsPerContext, rng)));
        }
        records.AddRange(Drills(world, preset.MixedDrills, WorldGenerator.Derive(world.Seed, 14), grounded, DrillShape.Full));
        records.AddRange(Drills(world, preset.MixedSimpleDrills, WorldGenerator.Derive(world.Seed, 17), grounded, DrillShape.Simple));
        return records.OrderBy(_ => rng.Next()).ToList();
    }

    /// <summary>
    /// The pre-training stages before the corpus: <see cref="BenchmarkPreset.SimpleDrillSteps"/> ×
    /// <see cref="BenchmarkPreset.DrillBatchSize"/> simple reading drills (one sentence to copy from), then
    /// <see cref="BenchmarkPreset.DrillSteps"/> × <see cref="BenchmarkPreset.DrillBatchSize"/> full ones
    /// (<see cref="ReadingDrillBuilder"/>); each drill is seen once. A stage with no steps is left out.
    /// </summary>
    public static IReadOnlyList<DrillStage> DrillStages(BenchmarkWorld world, BenchmarkPreset preset, GroundedAnswerOptions? grounded = null)
    {
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(preset);
        grounded ??= new GroundedAnswerOptions();
        var stages = new List<DrillStage>();
        if (preset.SimpleDrillSteps > 0)
            stages.Add(new(preset.SimpleDrillSteps, preset.SimpleDrillLearningRate, Drills(world, preset.SimpleDrillSteps * preset.DrillBatchSize, WorldGenerator.Derive(world.Seed, 15), grounded, DrillShape.Simple)));
        if (preset.DrillSteps > 0)
            stages.Add(new(preset.DrillSteps, preset.DrillLearningRate, Drills(world, preset.DrillSteps * preset.DrillBatchSize, WorldGenerator.Derive(world.Seed, 13), grounded, DrillShape.Full)));
        return stages;
    }

    /// <summary>
    /// Held-out full reading drills (their own people and draws), scored on their answers while pre-training runs: the
    /// answer loss falls only once the model reads (about ln 16 per value token while it guesses among a kind's values).
    /// </summary>
    public static IReadOnlyList<JsonObject> DrillValidation(BenchmarkWorld world, int count = 160, GroundedAnswerOptions? grounded = null)
    {
        ArgumentNullException.ThrowIfNull(world);
        return Drills(world, count, WorldGenerator.Derive(world.Seed, 16), grounded ?? new GroundedAnswerOptions(), DrillShape.Full);
    }

    static List<JsonObject> Drills(BenchmarkWorld world, int count, int seed, GroundedAnswerOptions grounded, DrillShape shape)
    {
        var reserved = world.PretrainEntities.Concat(world.ValidationEntities).Concat(world.ReadingEntities).Concat(world.TestEntities)
            .Select(e => e.Name).Concat(world.UnknownNames);
        var builder = new ReadingDrillBuilder(grounded, reserved);
        var rng = new Random(seed);
        var drills = new List<JsonObject>(count);
        while (drills.Count < count)
            if (builder.Drill(rng, shape) is { } c) drills.Add(Chat(c));
        return drills;
    }

    /// <summary>
    /// The base model's reading check: one grounded question per (held-out validation entity, attribute), built as the
    /// corpus' context conversations are (the passage that holds the answer, the entity's other passage, another
    /// person's passage), never part of the corpus. Judges the pre-training budget without the test world.
    /// </summary>
    public static IReadOnlyList<ReadingCheckItem> ReadingCheck(BenchmarkWorld world, BenchmarkPreset preset, GroundedAnswerOptions? grounded = null)
    {
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(preset);
        grounded ??= new GroundedAnswerOptions();
        var rng = new Random(WorldGenerator.Derive(world.Seed, 12));
        var reading = new ContextQuestionBuilder(world.ValidationDocuments, grounded);
        return world.ValidationEntities.SelectMany(e => WorldVocabulary.Attributes.Select(a =>
        {
            var turns = reading.Conversation(e, a, world.ValidationEntities, preset.TopK, 1, rng, alwaysAnswerable: true);
            var sources = string.Join("\n", turns.Prompt.Select(m => m.Text));
            return new ReadingCheckItem($"{e.Name}/{a.Key}", turns.Prompt, e.Values[a.Key], a.Values.Where(v => ContainsWord(sources, v)).ToList());
        })).ToList();
    }

    static bool ContainsWord(string text, string word)
    {
        for (var i = text.IndexOf(word, StringComparison.Ordinal); i >= 0; i = text.IndexOf(word, i + 1, StringComparison.Ordinal))
            if ((i == 0 || !char.IsLetter(text[i - 1])) && (i + word.Length == text.Length || !char.IsLetter(text[i + word.Length]))) return true;
        return false;
    }

    static JsonObject Chat(IEnumerable<ChatMessage> prompt, string answer) => Chat(new ContextConversation(prompt.ToList(), [answer], []));

    static JsonObject Chat(ContextConversation c)
    {
        var messages = new JsonArray();
        foreach (var m in c.Prompt) messages.Add(new JsonObject { ["role"] = m.Role.Value, ["content"] = m.Text });
        for (var i = 0; i < c.Answers.Count; i++)
        {
            if (i > 0) messages.Add(new JsonObject { ["role"] = "user", ["content"] = c.FollowUps[i - 1] });
            messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = c.Answers[i] });
        }
        return new JsonObject { ["messages"] = messages };
    }
}

/// <summary>One drill stage of pre-training: its optimizer steps, peak learning rate and drills (steps × the preset's drill batch size).</summary>
internal sealed record DrillStage(int Steps, double LearningRate, IReadOnlyList<JsonObject> Drills);
