using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using RagTune.Models;
using RagTune.Models.Clients;
using RagTune.Models.Templates;
using RagTune.Models.Tokenization;
using RagTune.Training.Pretraining;

namespace RagTune.Training.Tests.Pretraining;

/// <summary>
/// <see cref="PretrainRecipe"/> end to end on a tiny corpus: the Hugging Face folder loads through the engine (model,
/// tokenizer, chat template, chat client), training lowers the loss, and the same seed gives the same weights.
/// </summary>
public class PretrainRecipeTests
{
    static string Corpus()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("ragtune-pretrain-corpus").FullName, "corpus.jsonl");
        var lines = new List<string>();
        var names = new[] { "Anna", "Boris", "Chen", "Dara", "Emil", "Fay" };
        var cities = new[] { "Oslo", "Lima", "Riga" };
        for (var i = 0; i < 24; i++)
        {
            var (n, c) = (names[i % names.Length], cities[i % cities.Length]);
            lines.Add(new JsonObject { ["text"] = $"{n} lives in {c}. {n} likes long walks in {c}." }.ToJsonString());
            lines.Add(new JsonObject
            {
                ["messages"] = new JsonArray(
                    new JsonObject { ["role"] = "user", ["content"] = $"Where does {n} live?" },
                    new JsonObject { ["role"] = "assistant", ["content"] = c }),
            }.ToJsonString());
        }
        File.WriteAllLines(path, lines);
        return path;
    }

    static PretrainOptions Options(string corpus, string outDir) => new()
    {
        CorpusPath = corpus, VocabSize = 300, HiddenSize = 32, Layers = 1, Heads = 2, MaxSeqLen = 64,
        Trainer = new TrainerOptions { OutputDir = outDir, MaxSteps = 25, BatchSize = 8, LearningRate = 1e-2, Seed = 5, LogEvery = 5, PlotLoss = false },
    };

    [Fact]
    public async Task WritesAFolderTheEngineLoads_AndLearns()
    {
        var outDir = Directory.CreateTempSubdirectory("ragtune-pretrain").FullName;
        var losses = new List<double>();
        var result = new PretrainRecipe(Options(Corpus(), outDir)) { OnProgress = p => losses.Add(p.Loss) }.Run();

        foreach (var f in new[] { "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "generation_config.json" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        Assert.False(Directory.Exists(Path.Combine(outDir, ".staging")));
        Assert.True(losses[^1] < losses[0] * 0.7, $"loss {losses[0]:F3} → {losses[^1]:F3}");
        Assert.Equal(300, result.VocabSize);

        using var model = ModelLoader.Load(outDir);
        Assert.Equal(result.Parameters, model.parameters().Sum(p => p.numel()));
        var tokenizer = TokenizerLoader.FromFolder(outDir);
        Assert.Equal(PretrainTokenizer.SpecialTokens.ToList().IndexOf(PretrainTokenizer.EosToken), tokenizer.EosTokenId);
        var template = ChatTemplate.FromFolder(outDir)!;
        Assert.Equal("<|im_start|>user\n hi<|im_end|>\n<|im_start|>assistant\n", template.Render([new ChatMessage(ChatRole.User, "hi")], true));
        // An answer that repeats a word of the prompt is the very tokens the prompt holds it as (an identity copy).
        var question = new ChatMessage(ChatRole.User, "Anna lives in Oslo. Where does Anna live?");
        var promptIds = tokenizer.Encode(template.Render([question], true), addSpecialTokens: false);
        var ids = tokenizer.Encode(template.Render([question, new ChatMessage(ChatRole.Assistant, "Oslo")], false), addSpecialTokens: false);
        Assert.Equal(promptIds, ids.Take(promptIds.Count));
        var answerIds = ids.Skip(promptIds.Count).TakeWhile(id => id != tokenizer.EosTokenId).ToList();
        Assert.Equal(tokenizer.Encode(" Oslo", addSpecialTokens: false), answerIds);
        using var chat = LocalClientFactory.CreateChatClient(outDir);
        var reply = await chat.GetResponseAsync([new ChatMessage(ChatRole.User, "Where does Anna live?")], new ChatOptions { MaxOutputTokens = 4, Temperature = 0 });
        Assert.NotNull(reply.Text);
    }

    [Fact]
    public void SameSeed_SameWeights()
    {
        var corpus = Corpus();
        var a = Directory.CreateTempSubdirectory("ragtune-pretrain-a").FullName;
        var b = Directory.CreateTempSubdirectory("ragtune-pretrain-b").FullName;
        new PretrainRecipe(Options(corpus, a) with { Trainer = Options(corpus, a).Trainer with { MaxSteps = 6 } }).Run();
        new PretrainRecipe(Options(corpus, b) with { Trainer = Options(corpus, b).Trainer with { MaxSteps = 6 } }).Run();
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "tokenizer.json")), File.ReadAllBytes(Path.Combine(b, "tokenizer.json")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "model.safetensors")), File.ReadAllBytes(Path.Combine(b, "model.safetensors")));
    }

    [Theory]
    [InlineData(AttentionInit.Mimetic, true)]
    [InlineData(AttentionInit.Random, false)]
    public void AttentionInit_decides_how_the_heads_start(AttentionInit init, bool keysAreQueries)
    {
        var outDir = Directory.CreateTempSubdirectory("ragtune-pretrain-init").FullName;
        var o = Options(Corpus(), outDir);
        // One tiny step: the saved weights are still essentially the initial ones.
        new PretrainRecipe(o with { AttentionInit = init, Trainer = o.Trainer with { MaxSteps = 1, LearningRate = 1e-5 } }).Run();
        using var model = ModelLoader.Load(outDir);
        var w = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var q = w["model.layers.0.self_attn.q_proj.weight"];
        var k = w["model.layers.0.self_attn.k_proj.weight"];
        var relative = (q - k).norm().item<float>() / q.norm().item<float>();
        if (keysAreQueries) Assert.True(relative < 0.01, $"|W_q - W_k| / |W_q| = {relative:F4}");
        else Assert.True(relative > 1.0, $"|W_q - W_k| / |W_q| = {relative:F4} (independent draws differ by about √2)");
    }

    [Fact]
    public void Stages_run_in_order_before_the_corpus_and_the_validation_set_is_scored_on_its_answers()
    {
        var corpus = Corpus();
        var dir = Directory.CreateTempSubdirectory("ragtune-pretrain-stages").FullName;
        var stage = Path.Combine(dir, "stage.jsonl");
        File.WriteAllLines(stage, File.ReadAllLines(corpus).Where(l => l.Contains("\"messages\"", StringComparison.Ordinal)));
        var question = new ChatMessage(ChatRole.User, "Fay lives in Lima. Where does Fay live?");
        var answer = new ChatMessage(ChatRole.Assistant, "Lima");
        var validation = Path.Combine(dir, "validation.jsonl");
        File.WriteAllText(validation, new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = question.Text }, new JsonObject { ["role"] = "assistant", ["content"] = answer.Text }),
        }.ToJsonString());
        var outDir = Path.Combine(dir, "model");
        var o = Options(corpus, outDir);
        var messages = new List<string>();
        var evals = new List<(int Step, int Total, double Loss)>();
        new PretrainRecipe(o with
        {
            // Training on whole conversations must not make the validation score whole conversations too.
            ConversationLossOnPrompts = true, Stages = [new PretrainStage(stage, 4, 4, 1e-2)], ValidationPath = validation,
            Trainer = o.Trainer with { MaxSteps = 6, EvalEvery = 100 }, // scored only where a stage ends
        })
        {
            OnMessage = messages.Add,
            OnProgress = p => { if (p.Eval is { } e) evals.Add((p.Step, p.TotalSteps, e.Loss)); },
        }.Run();

        var first = messages.FindIndex(m => m.StartsWith("stage 1 of 2:", StringComparison.Ordinal));
        Assert.True(first >= 0 && messages.FindIndex(m => m.StartsWith("stage 2 of 2:", StringComparison.Ordinal)) > first, string.Join("\n", messages));
        Assert.True(File.Exists(Path.Combine(outDir, "stage-1", "metrics.jsonl")));
        Assert.Equal([(4, 4), (6, 6)], evals.Select(e => (e.Step, e.Total)));

        // The last evaluation, recomputed from the saved model: the mean loss of the answer's tokens (after the
        // generation prompt, to the end of the turn), not of the whole conversation.
        using var model = ModelLoader.Load(outDir);
        var tokenizer = TokenizerLoader.FromFolder(outDir);
        var template = ChatTemplate.FromFolder(outDir)!;
        var promptLength = tokenizer.Encode(template.Render([question], true), addSpecialTokens: false).Count;
        var ids = tokenizer.Encode(template.Render([question, answer], false), addSpecialTokens: false).Select(i => (long)i).ToArray();
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var noGrad = TorchSharp.torch.no_grad();
        var logits = ((ICausalLanguageModel)model).Forward(TorchSharp.torch.tensor(ids).unsqueeze(0), TorchSharp.torch.ones(1, ids.Length, TorchSharp.torch.int64))[0];
        var logp = TorchSharp.torch.nn.functional.log_softmax(logits, -1);
        double MeanLoss(int from) => Enumerable.Range(from, ids.Length - from).Average(t => -logp[t - 1, ids[t]].item<float>());
        Assert.Equal(MeanLoss(promptLength), evals[^1].Loss, 3);
        Assert.True(Math.Abs(MeanLoss(1) - MeanLoss(promptLength)) > 0.1, $"whole conversation {MeanLoss(1):F3}, answer {MeanLoss(promptLength):F3}");
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_rope_base_of_one_or_less_is_refused_by_name(double theta)
    {
        var o = Options(Corpus(), Directory.CreateTempSubdirectory("ragtune-pretrain-rope").FullName);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PretrainRecipe(o with { RopeTheta = theta }).Run());
        Assert.Equal(nameof(PretrainOptions.RopeTheta), e.ParamName);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_stage_learning_rate_that_is_not_a_positive_number_is_refused_by_name(double lr)
    {
        var corpus = Corpus();
        var o = Options(corpus, Directory.CreateTempSubdirectory("ragtune-pretrain-stage-lr").FullName);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PretrainRecipe(o with { Stages = [new PretrainStage(corpus, 2, 4, lr)] }).Run());
        Assert.Equal("Stages[0].LearningRate", e.ParamName);
    }

    [Fact]
    public void MissingCorpus_NamesTheFile()
    {
        var e = Assert.Throws<FileNotFoundException>(() => new PretrainRecipe(Options("/nonexistent/corpus.jsonl", Path.GetTempPath())).Run());
        Assert.Contains("/nonexistent/corpus.jsonl", e.Message);
    }
}
