using RagTune.Models;
using RagTune.Models.Tokenization;
using RagTune.Tests;
using RagTune.Training.Data;
using RagTune.Training.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Training.Tests;

/// <summary>Knowledge injection: causal fine-tuning of a small engine Llama memorises 200 generated facts.</summary>
[Trait("Tier", "Integration")]   // end to end: trains or runs the demo or a ragtune process (dotnet test --filter "Tier!=Integration" skips it)
public class FactsMemorisationTests
{
    static readonly string[] Relations = ["lives in", "works at", "plays the", "collects"];

    /// <summary>200 facts "&lt;person&gt; &lt;relation&gt; &lt;object&gt; ." over invented words (nothing a model could know).</summary>
    static List<(string Prompt, string Answer)> Facts()
    {
        var rng = new Random(2024);
        string Word(string prefix) => prefix + new string(Enumerable.Range(0, 5).Select(_ => (char)('a' + rng.Next(26))).ToArray());
        var objects = Enumerable.Range(0, 60).Select(_ => Word("o")).Distinct().ToList();
        return Enumerable.Range(0, 200).Select(i => ($"p{i}{Word("")} {Relations[i % 4]}", objects[rng.Next(objects.Count)])).ToList();
    }

    [Fact]
    public void CausalFineTuningMemorisesTwoHundredFacts()
    {
        var facts = Facts();
        var texts = facts.Select(f => $"{f.Prompt} {f.Answer} .").ToList();
        var dir = TinyModelFolder.Create(TestPaths.NewTempDir(), texts, hidden: 64, layers: 2, seed: 1);
        var tokenizer = TokenizerLoader.FromFolder(dir);
        using var model = ModelLoader.LoadCausalLanguageModel(dir);
        var data = texts.Select(t => TrainingExample.ForCausal([.. tokenizer.Encode(t, addSpecialTokens: false), tokenizer.EosTokenId!.Value])).ToList();
        var trainer = new Trainer(model.Module, b => model.Forward(b.InputIds, b.AttentionMask), new TrainerOptions
        {
            OutputDir = TestPaths.NewTempDir(), Epochs = int.Parse(Environment.GetEnvironmentVariable("FACT_EPOCHS") ?? "80"), BatchSize = 16, LearningRate = 1e-2, WeightDecay = 0, WarmupRatio = 0.02,
            LogEvery = 100, Seed = 3, PlotLoss = false,
        });
        trainer.Train(data);

        model.Module.eval();
        var correct = 0;
        using (no_grad())
            foreach (var (prompt, answer) in facts)
            {
                var ids = tensor(tokenizer.Encode(prompt, addSpecialTokens: false).Select(i => (long)i).ToArray()).unsqueeze(0);
                var next = model.Forward(ids)[0, -1].argmax().item<long>();
                if (tokenizer.IdToToken((int)next) == answer) correct++;
            }
        Assert.True(correct >= 190, $"recalled {correct}/200");
    }
}
