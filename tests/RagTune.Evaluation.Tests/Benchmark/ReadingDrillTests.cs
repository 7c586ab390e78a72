using System.Text.Json.Nodes;
using RagTune.Evaluation.Benchmark;
using RagTune.Retrieval.Generation;

namespace RagTune.Evaluation.Tests.Benchmark;

/// <summary>
/// The reading drills of the first pre-training stage (<see cref="ReadingDrillBuilder"/>): the product's grounded prompt,
/// one to three short sources, every answer the value its cited source states for the asked person (or the abstain
/// sentence when none does), people who exist in no world and in no other drill, training phrasings only, deterministic.
/// </summary>
public class ReadingDrillTests
{
    static readonly BenchmarkWorld World = WorldGenerator.Generate(3, BenchmarkPreset.Quick);

    // The stage of full drills (the first holds simple ones).
    static IReadOnlyList<JsonObject> Stage() => PretrainCorpusBuilder.DrillStages(World, BenchmarkPreset.Quick)[1].Drills;

    static IReadOnlyList<JsonObject> SimpleStage() => PretrainCorpusBuilder.DrillStages(World, BenchmarkPreset.Quick)[0].Drills;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_answer_is_the_value_its_cited_source_states_for_that_person(bool simple)
    {
        var drills = simple ? SimpleStage() : Stage();
        var preset = BenchmarkPreset.Quick;
        Assert.Equal((simple ? preset.SimpleDrillSteps : preset.DrillSteps) * preset.DrillBatchSize, drills.Count);
        Assert.Equal(simple ? preset.SimpleDrillSteps : preset.DrillSteps, PretrainCorpusBuilder.DrillStages(World, preset)[simple ? 0 : 1].Steps);
        var rates = preset with { SimpleDrillLearningRate = 0.02, DrillLearningRate = 0.003 };
        Assert.Equal(simple ? 0.02 : 0.003, PretrainCorpusBuilder.DrillStages(World, rates)[simple ? 0 : 1].LearningRate);
        var system = new GroundedPromptBuilder().SystemPrompt;
        var abstain = new GroundedAnswerOptions().AbstainText;
        var questions = WorldVocabulary.Attributes.SelectMany(a => a.TrainQuestions.Select(t => (Parts: t.Split("{e}"), Attribute: a))).ToList();
        int answers = 0, abstentions = 0;
        var sourceCounts = new HashSet<int>();
        foreach (var drill in drills)
        {
            var m = drill["messages"]!.AsArray();
            Assert.Equal(system, (string?)m[0]!["content"]);
            var prompt = (string)m[1]!["content"]!;
            var sources = prompt[..prompt.IndexOf("\n\nQuestion: ", StringComparison.Ordinal)];
            var count = Enumerable.Range(1, 5).Count(i => sources.Contains($"[{i}] ", StringComparison.Ordinal));
            Assert.InRange(count, 1, 3);
            sourceCounts.Add(count);
            for (var i = 2; i < m.Count; i += 2)
            {
                Assert.Equal("assistant", (string?)m[i]!["role"]);
                var asked = (string)m[i - 1]!["content"]!;
                var question = asked[(asked.LastIndexOf("Question: ", StringComparison.Ordinal) + 10)..asked.LastIndexOf('\n')];
                var (person, attribute) = questions
                    .Where(t => question.StartsWith(t.Parts[0], StringComparison.Ordinal) && question.EndsWith(t.Parts[1], StringComparison.Ordinal))
                    .Select(t => (Person: question[t.Parts[0].Length..^t.Parts[1].Length], t.Attribute)).First();
                var answer = (string)m[i]!["content"]!;
                // The sentences that state this person's value of this attribute (distractor templates excluded).
                var stated = attribute.Values.SelectMany(v => attribute.Statements.Select(s => (Value: v, Sentence: AttributeSpec.Fill(s, person, v))))
                    .Where(x => StartsASentence(sources, x.Sentence)).ToList();
                if (answer == abstain)
                {
                    abstentions++;
                    Assert.Empty(stated);
                    continue;
                }
                answers++;
                var cited = int.Parse(answer[(answer.LastIndexOf('[') + 1)..^1]);
                var value = answer[..answer.LastIndexOf(' ')];
                var (value1, sentence) = Assert.Single(stated);
                Assert.Equal(value1, value);
                var start = sources.IndexOf($"[{cited}] ", StringComparison.Ordinal);
                var end = sources.IndexOf($"[{cited + 1}] ", start, StringComparison.Ordinal);
                Assert.Contains(sentence, end < 0 ? sources[start..] : sources[start..end]);
            }
        }
        if (simple)
        {
            // One source, one sentence, one question on it: the value to copy is the only one there.
            Assert.Equal([1], sourceCounts);
            Assert.Equal(0, abstentions);
            Assert.Equal(drills.Count, answers);
            Assert.All(drills, d => Assert.Equal(3, d["messages"]!.AsArray().Count));
            return;
        }
        Assert.Equal([1, 2, 3], sourceCounts.Order());
        Assert.True(answers > 5 * abstentions && abstentions > 0, $"{answers} answers, {abstentions} abstentions");
    }

    // "The brother of X lives in Oslo." holds "X lives in Oslo." — a statement counts only where a sentence starts.
    static bool StartsASentence(string text, string sentence)
    {
        for (var i = text.IndexOf(sentence, StringComparison.Ordinal); i >= 0; i = text.IndexOf(sentence, i + 1, StringComparison.Ordinal))
            if (i == 0 || text[i - 1] == '\n' || (i >= 2 && text[(i - 2)..i] == ". ")) return true;
        return false;
    }

    [Fact]
    public void Drill_people_exist_in_no_world_and_answers_cannot_be_recalled_across_drills()
    {
        var text = string.Join("\n", Stage().Concat(PretrainCorpusBuilder.Build(World, BenchmarkPreset.Quick)).Select(r => r.ToJsonString()));
        var worldNames = World.PretrainEntities.Concat(World.ValidationEntities).Concat(World.TestEntities).Select(e => e.Name).Concat(World.UnknownNames);
        // World names occur only where the corpus puts them (test, validation and unknown names nowhere at all).
        Assert.All(World.TestEntities.Select(e => e.Name).Concat(World.ValidationEntities.Select(e => e.Name)).Concat(World.UnknownNames),
                   name => Assert.DoesNotContain(name, text, StringComparison.Ordinal));
        // Drill people: the titles name them ("# Profile of X"); nearly every drill person is new.
        var people = Stage().SelectMany(r => ((string)r["messages"]![1]!["content"]!).Split('\n'))
            .Where(l => l.StartsWith("# ", StringComparison.Ordinal))
            .Select(l => WorldVocabulary.Titles.Select(t => t.Split("{e}")).Where(p => l[2..].StartsWith(p[0], StringComparison.Ordinal) && l.EndsWith(p[1], StringComparison.Ordinal))
                .Select(p => l[(2 + p[0].Length)..^p[1].Length]).First()).ToList();
        var firstParts = worldNames.Select(n => n.Split(' ')[0]).ToHashSet();
        Assert.All(people, p => Assert.DoesNotContain(p.Split(' ')[0], firstParts));
        var distinct = people.Distinct().Count();
        var drills = Stage().Count;
        Assert.True(distinct >= drills, $"{distinct} distinct people over {drills} drills (two per drill, named in at least one title)");
        // The held-out drills that pre-training is scored on share no person with the drills it trains on.
        static IEnumerable<string> Titles(IEnumerable<JsonObject> d) => d.Where(r => r["messages"] is JsonArray { Count: > 1 }).SelectMany(r => ((string?)r["messages"]![1]!["content"] ?? "").Split('\n')).Where(l => l.StartsWith("# ", StringComparison.Ordinal));
        var trained = Titles(PretrainCorpusBuilder.DrillStages(World, BenchmarkPreset.Quick).SelectMany(x => x.Drills).Concat(PretrainCorpusBuilder.Build(World, BenchmarkPreset.Quick))).ToHashSet();
        var heldOut = Titles(PretrainCorpusBuilder.DrillValidation(World)).ToList();
        Assert.NotEmpty(heldOut);
        Assert.Empty(heldOut.Where(trained.Contains));
    }

    [Fact]
    public void Drills_use_only_training_phrasings_and_the_same_seed_gives_the_same_drills()
    {
        var text = string.Join("\n", Stage().Select(r => r.ToJsonString()));
        foreach (var a in WorldVocabulary.Attributes)
            foreach (var t in a.TestQuestions)
                Assert.DoesNotContain(t.Split("{e}")[0], text, StringComparison.Ordinal);
        Assert.Equal(Stage().Select(r => r.ToJsonString()), Stage().Select(r => r.ToJsonString()));
        var other = PretrainCorpusBuilder.DrillStages(WorldGenerator.Generate(4, BenchmarkPreset.Quick), BenchmarkPreset.Quick)[1].Drills;
        Assert.NotEqual(Stage().Select(r => r.ToJsonString()), other.Select(r => r.ToJsonString()));
    }

    [Fact]
    public void Mixed_simple_drills_are_added_to_the_corpus_and_nothing_else_changes()
    {
        var preset = BenchmarkPreset.Quick;
        Assert.True(preset.MixedSimpleDrills > 0);
        var with = PretrainCorpusBuilder.Build(World, preset).Select(r => r.ToJsonString()).ToList();
        var without = PretrainCorpusBuilder.Build(World, preset with { MixedSimpleDrills = 0 }).Select(r => r.ToJsonString()).ToList();
        // The other records and their order are those of a corpus without them (the shuffle draws for them come last).
        var added = with.Except(without).ToList();
        Assert.Equal(without, with.Where(r => !added.Contains(r)));
        Assert.Equal(preset.MixedSimpleDrills, added.Count);
        foreach (var drill in added.Select(r => JsonNode.Parse(r)!["messages"]!.AsArray()))
        {
            // Simple: system, one source of one sentence with the question, one answer citing it.
            Assert.Equal(3, drill.Count);
            var user = (string)drill[1]!["content"]!;
            Assert.Contains("[1] ", user);
            Assert.DoesNotContain("[2] ", user);
            Assert.EndsWith(" [1]", (string)drill[2]!["content"]!);
        }
    }
}
