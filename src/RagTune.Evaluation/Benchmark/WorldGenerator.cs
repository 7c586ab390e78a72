namespace RagTune.Evaluation.Benchmark;

/// <summary>
/// Generates a <see cref="BenchmarkWorld"/> from a seed: pure function of (seed, preset), one <see cref="Random"/>
/// per concern and per document, so the same seed gives the same files byte for byte. Bump <see cref="Version"/>
/// whenever the output for a seed changes (the cached base model is keyed by it).
/// </summary>
internal static class WorldGenerator
{
    /// <summary>Version of the generated content.</summary>
    public const int Version = 3; // 2: held-out validation entities of the pre-training world; 3: reading entities

    /// <summary>Generates the worlds.</summary>
    public static BenchmarkWorld Generate(int seed, BenchmarkPreset preset)
    {
        ArgumentNullException.ThrowIfNull(preset);
        var attrs = WorldVocabulary.Attributes;
        var names = UniqueNames(new Random(Derive(seed, 1)), preset.PretrainEntities + preset.TestEntities + preset.UnanswerableQuestions + preset.ValidationEntities + preset.ReadingEntities);
        var values = new Random(Derive(seed, 2));
        BenchmarkEntity NewEntity(string name) =>
            new(name, attrs.ToDictionary(a => a.Key, a => a.Values[values.Next(a.Values.Count)]));
        var pretrain = names.Take(preset.PretrainEntities).Select(NewEntity).ToList();
        var test = names.Skip(preset.PretrainEntities).Take(preset.TestEntities).Select(NewEntity).ToList();
        var unknown = names.Skip(preset.PretrainEntities + preset.TestEntities).Take(preset.UnanswerableQuestions).ToList();
        // Drawn last, from their own streams, so adding them changed nothing else of a seed's world.
        var validation = names.Skip(preset.PretrainEntities + preset.TestEntities + preset.UnanswerableQuestions).Take(preset.ValidationEntities).Select(NewEntity).ToList();
        var reading = names.Skip(preset.PretrainEntities + preset.TestEntities + preset.UnanswerableQuestions + preset.ValidationEntities).Select(NewEntity).ToList();

        var layout = new Random(Derive(seed, 3));
        var pretrainDocs = new List<BenchmarkDocument>();
        foreach (var (e, i) in pretrain.Select((e, i) => (e, i)))
        {
            var split = SplitAttributes(layout);
            var docSeeds = new[] { layout.Next(), layout.Next(), layout.Next(), layout.Next() };
            pretrainDocs.Add(Document($"p{i:D4}-a.md", e, split.First, docSeeds[0], 0));
            pretrainDocs.Add(Document($"p{i:D4}-b.md", e, split.Second, docSeeds[1], 1));
            pretrainDocs.Add(Document($"p{i:D4}-a2.md", e, split.First, docSeeds[2], 2));
            pretrainDocs.Add(Document($"p{i:D4}-b2.md", e, split.Second, docSeeds[3], 3));
        }
        var validationDocs = TwoDocumentsEach(validation, "v{0:D3}", new Random(Derive(seed, 6)));
        var readingDocs = TwoDocumentsEach(reading, "r{0:D4}", new Random(Derive(seed, 7)));
        var memory = pretrain.Where(_ => layout.NextDouble() < preset.MemoryQuestionShare).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);

        var testLayout = new Random(Derive(seed, 4));
        var testDocs = new List<BenchmarkDocument>();
        var paraphrases = new List<BenchmarkDocument>();
        var qaTest = new List<QaItem>();
        var mcTest = new List<McItem>();
        var qaTrain = new List<QaItem>();
        var mcTrain = new List<McItem>();
        var updated = new List<BenchmarkDocument>();
        var qaUpdate = new List<QaItem>();
        var mcUpdate = new List<McItem>();
        var updateCount = (int)Math.Round(test.Count * preset.UpdateShare);
        foreach (var (e, i) in test.Select((e, i) => (e, i)))
        {
            var split = SplitAttributes(testLayout);
            var seeds = new[] { testLayout.Next(), testLayout.Next() };
            var docs = new[] { Document($"t{i:D3}-a.md", e, split.First, seeds[0], 0), Document($"t{i:D3}-b.md", e, split.Second, seeds[1], 1) };
            testDocs.AddRange(docs);
            foreach (var (d, k) in docs.Select((d, k) => (d, k)))
                for (var p = 1; p <= preset.Paraphrases; p++)
                    paraphrases.Add(Document(d.FileName.Replace(".md", $"-p{p}.md"), e, d.Attributes, testLayout.Next(), k + 2 * p, paraphraseOf: d.FileName));
            string GoldDoc(string attr) => docs.First(d => d.Attributes.Contains(attr)).FileName;

            // One attribute per entity is the training fact (ft-task/RAFT); the other four are tested.
            var trainAttr = attrs[testLayout.Next(attrs.Count)];
            foreach (var (q, k) in trainAttr.TrainQuestions.Select((q, k) => (q, k)))
                qaTrain.Add(new QaItem($"train-{i:D3}-{k}", AttributeSpec.Fill(q, e.Name), [e.Values[trainAttr.Key]], false, e.Name, trainAttr.Key, [GoldDoc(trainAttr.Key)]));
            mcTrain.Add(Mc($"train-mc-{i:D3}", AttributeSpec.Fill(trainAttr.TrainQuestions[0], e.Name), e.Values[trainAttr.Key], trainAttr, e.Name, testLayout, [GoldDoc(trainAttr.Key)]));
            foreach (var a in attrs.Where(a => a != trainAttr))
            {
                var qa = testLayout.Next(a.TestQuestions.Count);
                qaTest.Add(new QaItem($"qa-{qaTest.Count + 1:D4}", AttributeSpec.Fill(a.TestQuestions[qa], e.Name), [e.Values[a.Key]], false, e.Name, a.Key, [GoldDoc(a.Key)]));
                mcTest.Add(Mc($"mc-{mcTest.Count + 1:D4}", AttributeSpec.Fill(a.TestQuestions[1 - qa], e.Name), e.Values[a.Key], a, e.Name, testLayout, [GoldDoc(a.Key)]));
            }

            // The update changes one tested fact of the first entities (their order is already random) in its document.
            if (i < updateCount)
            {
                var a = attrs.Where(x => x != trainAttr).ElementAt(testLayout.Next(attrs.Count - 1));
                var old = e.Values[a.Key];
                var fresh = a.Values.Where(v => v != old).ElementAt(testLayout.Next(a.Values.Count - 1));
                var changed = e with { Values = new Dictionary<string, string>(e.Values) { [a.Key] = fresh } };
                var k = Array.FindIndex(docs, d => d.Attributes.Contains(a.Key));
                updated.Add(Document(docs[k].FileName, changed, docs[k].Attributes, seeds[k], k));
                qaUpdate.Add(new QaItem($"upd-qa-{qaUpdate.Count + 1:D3}", AttributeSpec.Fill(a.TestQuestions[0], e.Name), [fresh], false, e.Name, a.Key, [docs[k].FileName]));
                mcUpdate.Add(Mc($"upd-mc-{mcUpdate.Count + 1:D3}", AttributeSpec.Fill(a.TestQuestions[1], e.Name), fresh, a, e.Name, testLayout, [docs[k].FileName], mustInclude: old));
            }
        }
        foreach (var name in unknown)
        {
            var a = attrs[testLayout.Next(attrs.Count)];
            qaTest.Add(new QaItem($"qa-{qaTest.Count + 1:D4}", AttributeSpec.Fill(a.TestQuestions[testLayout.Next(a.TestQuestions.Count)], name), [], true, name, a.Key, []));
        }
        var reviews = Reviews(new Random(Derive(seed, 5)), preset.ClassifyTrain + preset.ClassifyTest);
        return new BenchmarkWorld
        {
            Seed = seed, Preset = preset.Name,
            PretrainEntities = pretrain, MemoryEntities = memory, PretrainDocuments = pretrainDocs,
            ValidationEntities = validation, ValidationDocuments = validationDocs, ReadingEntities = reading, ReadingDocuments = readingDocs,
            TestEntities = test, UnknownNames = unknown, TestDocuments = testDocs, Paraphrases = paraphrases,
            QaTest = qaTest, McTest = mcTest, QaTrain = qaTrain, McTrain = mcTrain,
            UpdatedDocuments = updated, QaUpdateTest = qaUpdate, McUpdateTest = mcUpdate,
            ClassifyTrain = reviews.Take(preset.ClassifyTrain).ToList(), ClassifyTest = reviews.Skip(preset.ClassifyTrain).ToList(),
        };
    }

    /// <summary>A sub-seed for one concern (so adding a concern never shifts another's stream).</summary>
    public static int Derive(int seed, int concern) => unchecked((int)((uint)seed * 2654435761u ^ (uint)concern * 40503u));

    /// <summary>One capitalised part of a generated name: <paramref name="syllables"/> onset + vowel pairs and a coda.</summary>
    public static string NamePart(Random rng, int syllables)
    {
        var v = WorldVocabulary.Vowels; var on = WorldVocabulary.Onsets; var co = WorldVocabulary.Codas;
        var s = string.Concat(Enumerable.Range(0, syllables).Select(_ => on[rng.Next(on.Count)] + v[rng.Next(v.Count)])) + co[rng.Next(co.Count)];
        return char.ToUpperInvariant(s[0]) + s[1..];
    }

    static List<string> UniqueNames(Random rng, int count)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new List<string>();
        while (result.Count < count)
        {
            var name = $"{NamePart(rng, 2)} {NamePart(rng, rng.Next(2, 4))}";
            if (seen.Add(name)) result.Add(name);
        }
        return result;
    }

    /// <summary>Each entity's attributes split over two documents (<c>-a</c>, <c>-b</c>), as a test entity's are.</summary>
    static List<BenchmarkDocument> TwoDocumentsEach(IReadOnlyList<BenchmarkEntity> entities, string fileStem, Random layout)
    {
        var docs = new List<BenchmarkDocument>();
        foreach (var (e, i) in entities.Select((e, i) => (e, i)))
        {
            var split = SplitAttributes(layout);
            var stem = string.Format(System.Globalization.CultureInfo.InvariantCulture, fileStem, i);
            docs.Add(Document($"{stem}-a.md", e, split.First, layout.Next(), 0));
            docs.Add(Document($"{stem}-b.md", e, split.Second, layout.Next(), 1));
        }
        return docs;
    }

    static (List<string> First, List<string> Second) SplitAttributes(Random rng)
    {
        var keys = WorldVocabulary.Attributes.Select(a => a.Key).OrderBy(_ => rng.Next()).ToList();
        return (keys.Take(3).ToList(), keys.Skip(3).ToList());
    }

    /// <summary>
    /// One document: the entity's <paramref name="attributes"/> stated with templates drawn from <paramref name="docSeed"/>,
    /// one distractor (another value of some attribute next to the name) and one filler sentence, in a random order.
    /// The same seed with other values gives the same document with only the values changed (the update).
    /// </summary>
    static BenchmarkDocument Document(string file, BenchmarkEntity e, IReadOnlyList<string> attributes, int docSeed, int titleIndex, string? paraphraseOf = null)
    {
        var rng = new Random(docSeed);
        var specs = WorldVocabulary.Attributes;
        var sentences = attributes.Select(k => specs.First(a => a.Key == k))
            .Select(a => AttributeSpec.Fill(a.Statements[rng.Next(a.Statements.Count)], e.Name, e.Values[a.Key])).ToList();
        var da = specs[rng.Next(specs.Count)];
        var dv = da.Values[rng.Next(da.Values.Count)];
        if (dv == e.Values[da.Key]) dv = da.Values[(da.Values.ToList().IndexOf(dv) + 1) % da.Values.Count];
        sentences.Add(AttributeSpec.Fill(da.Distractors[rng.Next(da.Distractors.Count)], e.Name, dv));
        sentences.Add(AttributeSpec.Fill(WorldVocabulary.Filler[rng.Next(WorldVocabulary.Filler.Count)], e.Name));
        var order = sentences.Select(_ => rng.Next()).ToArray();
        var body = string.Join(" ", sentences.Zip(order).OrderBy(p => p.Second).Select(p => p.First));
        var title = AttributeSpec.Fill(WorldVocabulary.Titles[(titleIndex + (paraphraseOf is null ? 0 : 1)) % WorldVocabulary.Titles.Count], e.Name);
        return new BenchmarkDocument(file, title, body, e.Name, attributes.ToList());
    }

    static McItem Mc(string id, string question, string answer, AttributeSpec a, string entity, Random rng, IReadOnlyList<string> gold, string? mustInclude = null)
    {
        var others = a.Values.Where(v => v != answer && v != mustInclude).OrderBy(_ => rng.Next()).Take(mustInclude is null ? 3 : 2).ToList();
        if (mustInclude is not null) others.Add(mustInclude);
        var options = others.Append(answer).OrderBy(_ => rng.Next()).ToList();
        return new McItem(id, question, options, options.IndexOf(answer), entity, a.Key, gold);
    }

    static List<ClassifyItem> Reviews(Random rng, int count)
    {
        var result = new List<ClassifyItem>();
        for (var i = 0; i < count; i++)
        {
            var positive = rng.Next(2) == 0;
            var words = positive ? WorldVocabulary.Positive : WorldVocabulary.Negative;
            var product = WorldVocabulary.Products[rng.Next(WorldVocabulary.Products.Count)];
            var polar = WorldVocabulary.ReviewTemplates[rng.Next(WorldVocabulary.ReviewTemplates.Count)]
                .Replace("{p}", product).Replace("{w}", words[rng.Next(words.Count)]);
            var filler = Enumerable.Range(0, 2).Select(_ => WorldVocabulary.ReviewFiller[rng.Next(WorldVocabulary.ReviewFiller.Count)].Replace("{p}", product)).ToList();
            filler.Insert(rng.Next(3), polar);
            result.Add(new ClassifyItem($"review-{i + 1:D4}", string.Join(" ", filler), positive ? "positive" : "negative"));
        }
        return result;
    }
}
