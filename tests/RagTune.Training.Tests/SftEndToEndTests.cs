using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using RagTune.Models.Clients;
using RagTune.Models.Generation;
using RagTune.Models.Templates;
using RagTune.Models.Tokenization;
using RagTune.Models;
using RagTune.Tests;
using RagTune.Training.Data;
using RagTune.Training.Lora;
using RagTune.Training.Reporting;
using RagTune.Training.Tests.Support;

namespace RagTune.Training.Tests;

/// <summary>
/// SFT end to end on an engine Llama folder with a real (ChatML) chat template: the recipe renders the messages,
/// masks everything but the assistant turns, trains, and the output folder answers through <see cref="LocalChatClient"/>.
/// </summary>
[Trait("Tier", "Integration")]   // end to end: trains or runs the demo or a ragtune process (dotnet test --filter "Tier!=Integration" skips it)
public class SftEndToEndTests
{
    static readonly (string Question, string Answer)[] Facts =
    [
        ("what is the capital of veltoria", "marnis"),
        ("what is the capital of quorvia", "deltan"),
        ("who built the zephyr engine", "ada korr"),
        ("who built the vortex engine", "bel tamsin"),
        ("where does ilse vorn live", "in ostrava bay"),
        ("where does tomas rell live", "in kelm"),
    ];

    const string System = "answer in few words";

    static string WriteJsonl(string dir, IEnumerable<JsonNode> records)
    {
        var path = Path.Combine(dir, "train.jsonl");
        File.WriteAllLines(path, records.Select(r => r.ToJsonString()));
        return path;
    }

    static string ModelDir() =>
        TinyModelFolder.Create(TestPaths.NewTempDir("sft-model"), Facts.SelectMany(f => new[] { f.Question, f.Answer }).Append(System),
                               hidden: 64, layers: 2, seed: 7, chatMl: true);

    static FineTuneOptions Options(string modelDir, string data, string outDir) => new()
    {
        ModelDir = modelDir, DataPath = data, Task = TrainingTask.Sft, Method = FineTuneMethod.Full, MaxSeqLen = 64,
        Trainer = new TrainerOptions
        {
            OutputDir = outDir, Epochs = 60, BatchSize = 6, LearningRate = 1e-2, WeightDecay = 0, WarmupRatio = 0.05,
            LogEvery = 5, Seed = 5, PlotLoss = false,
        },
    };

    static (double First, double Last) Losses(string outDir)
    {
        var losses = File.ReadAllLines(Path.Combine(outDir, "metrics.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement).Where(e => e.TryGetProperty("loss", out _))
            .Select(e => e.GetProperty("loss").GetDouble()).ToList();
        return (losses[0], losses[^1]);
    }

    /// <summary>The recipe's messages, one per line, into <paramref name="sink"/>.</summary>
    static IProgress<string> Quiet(StringWriter sink) => new LineSink(sink);

    sealed class LineSink(StringWriter sink) : IProgress<string>
    {
        public void Report(string value) => sink.WriteLine(value);
    }

    [Fact]
    public void MessagesAreMaskedOutsideAssistantTurnsAsTheTemplateRendersThem()
    {
        var dir = ModelDir();
        var tokenizer = TokenizerLoader.FromFolder(dir);
        var template = ChatTemplate.FromFolder(dir)!;
        var builder = new DatasetBuilder(tokenizer, TrainingTask.Sft, 64)
        {
            ChatRenderer = (turns, gen) => template.Render(turns.Select(t => new ChatMessage(new ChatRole(t.Role), t.Content)), gen),
        };
        // Two assistant turns, so masking has to find each of them in the rendering.
        var record = new JsonObject
        {
            ["messages"] = new JsonArray(Msg("system", System), Msg("user", Facts[0].Question), Msg("assistant", Facts[0].Answer),
                                         Msg("user", Facts[2].Question), Msg("assistant", Facts[2].Answer)),
        };
        var example = builder.BuildFromFile(WriteJsonl(TestPaths.NewTempDir(), [record])).Examples.Single();

        // Independent reference: tokenize the template's rendering; an assistant span runs from after
        // "<|im_start|> assistant" up to and including its "<|im_end|>".
        var rendered = template.Render([new(ChatRole.System, System), new(ChatRole.User, Facts[0].Question), new(ChatRole.Assistant, Facts[0].Answer),
                                        new(ChatRole.User, Facts[2].Question), new(ChatRole.Assistant, Facts[2].Answer)], addGenerationPrompt: false);
        Assert.StartsWith("<|im_start|>system\n" + System + "<|im_end|>\n<|im_start|>user\n", rendered);
        var ids = tokenizer.Encode(rendered, addSpecialTokens: false).ToArray();
        Assert.Equal(ids, example.InputIds);
        int imStart = tokenizer.TokenToId("<|im_start|>")!.Value, imEnd = tokenizer.TokenToId("<|im_end|>")!.Value, assistant = tokenizer.TokenToId("assistant")!.Value;
        var expected = Enumerable.Repeat(-100, ids.Length).ToArray();
        for (var i = 0; i + 1 < ids.Length; i++)
        {
            if (ids[i] != imStart || ids[i + 1] != assistant) continue;
            for (var j = i + 2; j < ids.Length; j++) { expected[j] = ids[j]; if (ids[j] == imEnd) break; }
        }
        Assert.Equal(expected, example.Labels);
        var learnt = string.Join(" ", example.Labels.Where(l => l != -100).Select(l => tokenizer.IdToToken(l)));
        Assert.Equal($"{Facts[0].Answer} <|im_end|> {Facts[2].Answer} <|im_end|>", learnt);
    }

    [Fact]
    public async Task MessagesFineTuningAnswersTrainedQuestionsThroughTheChatClient()
    {
        var dir = ModelDir();
        var work = TestPaths.NewTempDir("sft-run");
        var data = WriteJsonl(work, Facts.Select((f, i) => (JsonNode)new JsonObject
        {
            ["messages"] = i % 2 == 0
                ? new JsonArray(Msg("system", System), Msg("user", f.Question), Msg("assistant", f.Answer))
                : new JsonArray(Msg("user", f.Question), Msg("assistant", f.Answer)),
        }));
        var outDir = Path.Combine(work, "out");
        var console = new StringWriter();
        new FineTuneRecipe(Options(dir, data, outDir) with { Method = FineTuneMethod.Full, Lora = new() { TargetModules = ["q_proj", "v_proj"] } },
                           Quiet(console)).Run();
        // The options line is JSON with list values spelled out; the end names the metrics and plot files.
        var printed = console.ToString();
        Assert.Contains("\"TargetModules\":[\"q_proj\",\"v_proj\"]", printed);
        Assert.Contains("\"Task\":\"Sft\"", printed);
        Assert.DoesNotContain("System.Collections", printed);
        Assert.Contains("metrics: " + Path.GetFullPath(Path.Combine(outDir, "metrics.jsonl")), printed);

        var (first, last) = Losses(outDir);
        Assert.True(last < first / 10, $"loss {first:F4} → {last:F4}");
        using var chat = LocalClientFactory.CreateChatClient(outDir);
        var greedy = new ChatOptions { Temperature = 0, MaxOutputTokens = 8 };
        foreach (var (i, (q, a)) in Facts.Index())
        {
            // Asked the way it was trained (with the system message on even examples).
            ChatMessage[] messages = i % 2 == 0 ? [new(ChatRole.System, System), new(ChatRole.User, q)] : [new(ChatRole.User, q)];
            var response = await chat.GetResponseAsync(messages, greedy);
            Assert.Equal(a, Normalize(response.Text));
        }
    }

    [Fact]
    public void PromptCompletionFineTuningLearnsTheCompletions()
    {
        var dir = ModelDir();
        var work = TestPaths.NewTempDir("sft-pc");
        var data = WriteJsonl(work, Facts.Select(f => (JsonNode)new JsonObject { ["prompt"] = f.Question, ["completion"] = f.Answer }));
        var outDir = Path.Combine(work, "out");
        var tokenizer = TokenizerLoader.FromFolder(dir);
        var example = new DatasetBuilder(tokenizer, TrainingTask.Sft, 64).BuildFromFile(data).Examples[0];
        var promptLength = tokenizer.Encode(Facts[0].Question, addSpecialTokens: true).Count;
        Assert.All(example.Labels.Take(promptLength), l => Assert.Equal(-100, l));
        Assert.Equal(example.InputIds.Skip(promptLength), example.Labels.Skip(promptLength));

        new FineTuneRecipe(Options(dir, data, outDir), Quiet(new StringWriter())).Run();

        var (first, last) = Losses(outDir);
        Assert.True(last < first / 10, $"loss {first:F4} → {last:F4}");
        using var model = ModelLoader.LoadCausalLanguageModel(outDir);
        var generator = new TextGenerator(model, TokenizerLoader.FromFolder(outDir));
        foreach (var (q, a) in Facts)
        {
            var ids = tokenizer.Encode(q, addSpecialTokens: true);
            var result = generator.Generate(ids, new GenerationOptions { MaxNewTokens = 8, StopTokenIds = [tokenizer.EosTokenId!.Value] });
            Assert.Equal(a, Normalize(result.Text));
        }
    }

    static string Normalize(string? text) => string.Join(" ", (text ?? "").Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries));

    static JsonObject Msg(string role, string content) => new() { ["role"] = role, ["content"] = content };

    [Fact]
    public void Bf16BaseLoraTrainsAndSavesAnFp32Adapter()
    {
        var dir = ModelDir();
        var work = TestPaths.NewTempDir("sft-bf16");
        var data = WriteJsonl(work, Facts.Select(f => (JsonNode)new JsonObject { ["prompt"] = f.Question, ["completion"] = f.Answer }));
        var outDir = Path.Combine(work, "out");
        var console = new StringWriter();
        var options = Options(dir, data, outDir) with
        {
            Method = FineTuneMethod.Lora, Bf16 = true, Lora = new() { R = 8, Alpha = 16, Dropout = 0, TargetModules = [LoraConfig.AllLinear] },
        };
        new FineTuneRecipe(options with { Trainer = options.Trainer with { LearningRate = 2e-2 } }, Quiet(console)).Run();

        Assert.Contains("stored in bf16", console.ToString());
        var (first, last) = Losses(outDir);
        // The same run with an fp32 base: bf16 storage must not change how the adapter learns beyond rounding.
        var fp32Dir = Path.Combine(work, "out-fp32");
        new FineTuneRecipe(options with { Bf16 = false, Trainer = options.Trainer with { LearningRate = 2e-2, OutputDir = fp32Dir } }, Quiet(new StringWriter())).Run();
        var (_, fp32Last) = Losses(fp32Dir);
        Assert.True(last < 0.85 * first, $"bf16 loss {first:F4} → {last:F4}");
        Assert.True(Math.Abs(last - fp32Last) < 0.1 * fp32Last, $"final loss bf16 {last:F4} vs fp32 {fp32Last:F4}");
        // safetensors header: every adapter tensor is F32.
        var bytes = File.ReadAllBytes(Path.Combine(outDir, "adapter_model.safetensors"));
        var header = JsonNode.Parse(global::System.Text.Encoding.UTF8.GetString(bytes, 8, (int)BitConverter.ToUInt64(bytes, 0)))!.AsObject();
        var dtypes = header.Where(kv => kv.Key != "__metadata__").Select(kv => kv.Value!["dtype"]!.GetValue<string>()).Distinct().ToList();
        Assert.Equal(["F32"], dtypes);
        Assert.Contains(header, kv => kv.Key.EndsWith("lora_A.weight"));

        Assert.Throws<ArgumentException>(() => new FineTuneRecipe(options with { Method = FineTuneMethod.Full }, Quiet(new StringWriter())).Run());
    }
}
