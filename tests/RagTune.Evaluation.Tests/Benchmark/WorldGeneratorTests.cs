using System.Text.Json;
using System.Text.Json.Nodes;
using RagTune.Evaluation.Benchmark;

namespace RagTune.Evaluation.Tests.Benchmark;

/// <summary>Invariants of the generated worlds: disjoint entities, held-out phrasings, sizes, the update, determinism.</summary>
public class WorldGeneratorTests
{
    static readonly Lazy<(BenchmarkWorld World, string Corpus)> Full = new(() =>
    {
        var world = WorldGenerator.Generate(42, BenchmarkPreset.Full);
        var corpus = string.Join("\n", PretrainCorpusBuilder.Build(world, BenchmarkPreset.Full).Select(r => r.ToJsonString()));
        return (world, corpus);
    });

    static string Norm(string s) => string.Join(' ', s.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public void FullPreset_HasAtLeast300TestQuestions_WithUnanswerableOnes()
    {
        var w = Full.Value.World;
        Assert.True(w.QaTest.Count >= 300, $"{w.QaTest.Count} QA test questions");
        Assert.True(w.McTest.Count >= 250, $"{w.McTest.Count} multiple-choice test questions");
        Assert.Contains(w.QaTest, q => q.Unanswerable);
        Assert.All(w.QaTest.Where(q => q.Unanswerable), q => Assert.Empty(q.Answers));
        Assert.Equal(w.QaTest.Count, w.QaTest.Select(q => q.Id).Distinct().Count());
    }

    [Fact]
    public void Entities_AreDisjoint_AndTestEntitiesNeverAppearInPretraining()
    {
        var (w, corpus) = Full.Value;
        var pre = w.PretrainEntities.Select(e => e.Name).ToHashSet();
        var test = w.TestEntities.Select(e => e.Name).ToHashSet();
        Assert.Empty(pre.Intersect(test));
        Assert.Empty(pre.Intersect(w.UnknownNames));
        Assert.Empty(test.Intersect(w.UnknownNames));
        Assert.All(test.Concat(w.UnknownNames), name => Assert.DoesNotContain(name, corpus));
        var testText = string.Join("\n", w.TestDocuments.Concat(w.UpdatedDocuments).Concat(w.Paraphrases).Select(d => d.Markdown));
        Assert.All(w.UnknownNames, name => Assert.DoesNotContain(name, testText));
    }

    [Fact]
    public void TestPhrasings_NeverOccurInAnyTrainingData()
    {
        var (w, corpus) = Full.Value;
        var drillStage = string.Join("\n", PretrainCorpusBuilder.DrillStages(w, BenchmarkPreset.Full).SelectMany(s => s.Drills).Concat(PretrainCorpusBuilder.DrillValidation(w)).Select(r => r.ToJsonString()));
        var training = Norm(corpus + "\n" + drillStage + "\n" + string.Join("\n", w.QaTrain.Select(q => q.Question)) + "\n" + string.Join("\n", w.McTrain.Select(q => q.Question)));
        // Every held-out template, cut at the entity placeholder: no piece of it of 3+ words occurs in training text.
        foreach (var a in WorldVocabulary.Attributes)
            foreach (var t in a.TestQuestions)
                foreach (var piece in t.Split("{e}").Select(p => Norm(p.Trim(' ', '?', '.'))).Where(p => p.Split(' ').Length >= 3))
                    Assert.DoesNotContain(piece, training);
        var trainQuestions = w.QaTrain.Select(q => Norm(q.Question)).Concat(w.McTrain.Select(q => Norm(q.Question))).ToHashSet();
        foreach (var q in w.QaTest.Select(q => q.Question).Concat(w.McTest.Select(m => m.Question)).Concat(w.QaUpdateTest.Select(q => q.Question)))
        {
            Assert.DoesNotContain(Norm(q), trainQuestions);
            Assert.DoesNotContain(Norm(q), training);
        }
    }

    [Fact]
    public void TrainingFacts_AreNeverTested_AndEveryTestedFactIsInItsGoldDocument()
    {
        var w = Full.Value.World;
        var trained = w.QaTrain.Select(q => (q.Entity, q.Attribute)).ToHashSet();
        Assert.DoesNotContain(w.QaTest, q => trained.Contains((q.Entity, q.Attribute)));
        Assert.DoesNotContain(w.McTest, q => trained.Contains((q.Entity, q.Attribute)));
        var docs = w.TestDocuments.ToDictionary(d => d.FileName);
        foreach (var q in w.QaTest.Where(q => !q.Unanswerable))
        {
            var gold = docs[q.GoldDocuments.Single()];
            Assert.Contains(q.Attribute, gold.Attributes);
            Assert.Contains(q.Answers[0], gold.Body);
        }
        Assert.All(w.McTest, m => Assert.Equal(4, m.Options.Distinct().Count()));
    }

    [Fact]
    public void Update_ChangesTheFactInItsDocument_AndAsksAboutTheNewValue()
    {
        var w = Full.Value.World;
        Assert.NotEmpty(w.UpdatedDocuments);
        Assert.Equal(w.UpdatedDocuments.Count, w.QaUpdateTest.Count);
        var before = w.TestDocuments.ToDictionary(d => d.FileName);
        foreach (var q in w.QaUpdateTest)
        {
            var file = q.GoldDocuments.Single();
            var updated = w.UpdatedDocuments.Single(d => d.FileName == file);
            var old = w.TestEntities.Single(e => e.Name == q.Entity).Values[q.Attribute];
            Assert.NotEqual(old, q.Answers[0]);
            Assert.Contains(q.Answers[0], updated.Body);
            Assert.Contains(old, before[file].Body);
            Assert.NotEqual(before[file].Body, updated.Body);
        }
    }

    [Fact]
    public void Paraphrases_RewordEveryTestDocument_KeepingItsFacts()
    {
        var w = Full.Value.World;
        Assert.Equal(w.TestDocuments.Count * BenchmarkPreset.Full.Paraphrases, w.Paraphrases.Count);
        foreach (var p in w.Paraphrases)
        {
            var e = w.TestEntities.Single(x => x.Name == p.Entity);
            Assert.All(p.Attributes, a => Assert.Contains(e.Values[a], p.Body));
        }
    }

    [Fact]
    public void SameSeed_SameWorld_OtherSeed_OtherWorld()
    {
        static string Dump(BenchmarkWorld w) => JsonSerializer.Serialize(w);
        var a = WorldGenerator.Generate(7, BenchmarkPreset.Quick);
        var b = WorldGenerator.Generate(7, BenchmarkPreset.Quick);
        var c = WorldGenerator.Generate(8, BenchmarkPreset.Quick);
        Assert.Equal(Dump(a), Dump(b));
        Assert.NotEqual(Dump(a), Dump(c));
        var corpusA = PretrainCorpusBuilder.Build(a, BenchmarkPreset.Quick).Select(r => r.ToJsonString());
        var corpusB = PretrainCorpusBuilder.Build(b, BenchmarkPreset.Quick).Select(r => r.ToJsonString());
        Assert.Equal(corpusA, corpusB);
    }

    [Fact]
    public void ContextConversations_UseTheGroundedPrompt_AndEveryAnswerCitesTheSourceThatStatesItForThatPerson()
    {
        var w = WorldGenerator.Generate(3, BenchmarkPreset.Quick);
        var records = PretrainCorpusBuilder.Build(w, BenchmarkPreset.Quick);
        var people = w.ReadingEntities.ToDictionary(e => e.Name);
        // The conversations over the reading people's documents (the mixed-in drills are tested in ReadingDrillTests).
        var grounded = records.Where(r => r["messages"] is JsonArray m && m.Count >= 3 && ((string?)m[0]!["content"])!.Contains("numbered sources")
                                          && people.Keys.Any(n => ((string)m[1]!["content"]!).Contains(n, StringComparison.Ordinal))).ToList();
        Assert.NotEmpty(grounded);
        var system = new RagTune.Retrieval.Generation.GroundedPromptBuilder().SystemPrompt;
        int answers = 0, abstentions = 0, followUps = 0;
        foreach (var r in grounded)
        {
            var m = r["messages"]!.AsArray();
            Assert.Equal(system, (string?)m[0]!["content"]);
            var sources = (string)m[1]!["content"]!;
            for (var i = 2; i < m.Count; i += 2)
            {
                Assert.Equal("assistant", (string?)m[i]!["role"]);
                if (i > 2) followUps++;
                var asked = (string)m[i - 1]!["content"]!;
                var question = asked[(asked.LastIndexOf("Question: ", StringComparison.Ordinal) + 10)..asked.LastIndexOf('\n')];
                var (person, attribute) = WorldVocabulary.Attributes
                    .SelectMany(a => a.TrainQuestions.Select(t => (Parts: t.Split("{e}"), Attribute: a)))
                    .Where(t => question.StartsWith(t.Parts[0], StringComparison.Ordinal) && question.EndsWith(t.Parts[1], StringComparison.Ordinal))
                    .Select(t => (Person: question[t.Parts[0].Length..^t.Parts[1].Length], t.Attribute))
                    .Single(t => people.ContainsKey(t.Person));
                var answer = (string)m[i]!["content"]!;
                if (answer == "Not found in the sources.")
                {
                    abstentions++;
                    continue;
                }
                answers++;
                var cited = int.Parse(answer[(answer.LastIndexOf('[') + 1)..^1]);
                var value = answer[..answer.LastIndexOf(' ')];
                Assert.Equal(people[person].Values[attribute.Key], value);
                var start = sources.IndexOf($"[{cited}] ", StringComparison.Ordinal);
                var end = sources.IndexOf($"[{cited + 1}] ", start, StringComparison.Ordinal);
                var source = end < 0 ? sources[start..] : sources[start..end];
                Assert.Contains(value, source);
                Assert.Contains(person, source);
            }
        }
        Assert.True(answers > abstentions && abstentions > 0 && followUps > grounded.Count, $"{answers} answers, {abstentions} abstentions, {followUps} follow-ups");
    }

    [Fact]
    public void ReadingEntities_OccurOnlyInContextConversations_SoTheirFactsMustBeRead()
    {
        var w = WorldGenerator.Generate(3, BenchmarkPreset.Quick);
        var records = PretrainCorpusBuilder.Build(w, BenchmarkPreset.Quick);
        var readers = w.ReadingEntities.Select(e => e.Name).ToHashSet();
        Assert.Equal(BenchmarkPreset.Quick.ReadingEntities, readers.Count);
        var others = w.PretrainEntities.Concat(w.TestEntities).Concat(w.ValidationEntities).Select(e => e.Name).Concat(w.UnknownNames);
        Assert.Empty(readers.Intersect(others));
        // Every conversation over sources is about them; plain documents and closed-book questions never mention them.
        static bool OverSources(JsonObject r) => r["messages"] is JsonArray m && ((string?)m[1]!["content"])!.StartsWith("Sources:", StringComparison.Ordinal);
        // Reading drills (people invented per drill, ReadingDrillTests) are over sources too; the rest are the reading people's.
        var drills = records.Where(OverSources).Count(r => !readers.Any(name => r.ToJsonString().Contains(name, StringComparison.Ordinal)));
        Assert.Equal(BenchmarkPreset.Quick.MixedDrills + BenchmarkPreset.Quick.MixedSimpleDrills, drills);
        var grounded = records.Where(OverSources).Select(r => r.ToJsonString()).Where(r => readers.Any(name => r.Contains(name, StringComparison.Ordinal))).ToList();
        Assert.Equal(readers.Count, grounded.Count);
        Assert.All(grounded, r => Assert.Contains(readers, name => r.Contains(name, StringComparison.Ordinal)));
        var rest = string.Join("\n", records.Where(r => !OverSources(r)).Select(r => r.ToJsonString()));
        Assert.All(readers, name => Assert.DoesNotContain(name, rest));
        Assert.All(w.PretrainEntities.Select(e => e.Name), name => Assert.DoesNotContain(grounded, r => r.Contains(name, StringComparison.Ordinal)));
    }

    [Fact]
    public void ReadingCheck_AsksHeldOutPeople_NeverInTheCorpus_AndItsSourcesStateTheAnswer()
    {
        var w = WorldGenerator.Generate(3, BenchmarkPreset.Quick);
        var corpus = string.Join("\n", PretrainCorpusBuilder.Build(w, BenchmarkPreset.Quick).Select(r => r.ToJsonString()));
        var check = PretrainCorpusBuilder.ReadingCheck(w, BenchmarkPreset.Quick);
        Assert.Equal(w.ValidationEntities.Count * WorldVocabulary.Attributes.Count, check.Count);
        var held = w.ValidationEntities.Select(e => e.Name).ToHashSet();
        Assert.Empty(held.Intersect(w.PretrainEntities.Select(e => e.Name).Concat(w.TestEntities.Select(e => e.Name)).Concat(w.UnknownNames)));
        Assert.All(held, name => Assert.DoesNotContain(name, corpus));
        foreach (var item in check)
        {
            var user = item.Prompt[^1].Text;
            Assert.Contains(item.Answer, item.ValuesInSources);
            Assert.All(item.ValuesInSources, v => Assert.Contains(v, user));
        }
    }
}
