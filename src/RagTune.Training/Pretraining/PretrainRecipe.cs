using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;
using RagTune.Models;
using RagTune.Models.Templates;
using RagTune.Models.Tokenization;
using RagTune.Training.Data;
using RagTune.Training.Reporting;

namespace RagTune.Training.Pretraining;

/// <summary>
/// The from-scratch pre-training recipe behind <c>ragtune pretrain</c> (torchtune style: setup, train, save):
/// trains a byte-level BPE tokenizer on the corpus, builds a Llama-family model with seeded random weights, trains it
/// with the <see cref="Trainer"/> (documents packed as causal LM, conversations with loss on the answers; progress,
/// checkpoints and <see cref="TrainerOptions.Resume"/> as in fine-tuning) — first through any
/// <see cref="PretrainOptions.Stages"/> in order, then on the corpus, scoring <see cref="PretrainOptions.ValidationPath"/>
/// as it goes — and writes a Hugging Face folder:
/// <c>config.json</c>, <c>model.safetensors</c>, <c>tokenizer.json</c>, <c>tokenizer_config.json</c> (with the chat
/// template), <c>generation_config.json</c>. The final files appear only once all are written.
/// </summary>
public sealed class PretrainRecipe(PretrainOptions options)
{
    static readonly JsonSerializerOptions OptionsJson = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Called after each logged training step (tokens/s, ETA).</summary>
    public Action<TrainingProgress>? OnProgress { get; init; }

    /// <summary>Called with human-readable messages.</summary>
    public Action<string>? OnMessage { get; init; }

    /// <summary>Runs the job; returns the summary.</summary>
    public PretrainResult Run(CancellationToken cancellationToken = default)
    {
        var o = options;
        o.Validate();
        OnMessage?.Invoke("options: " + JsonSerializer.Serialize(o, OptionsJson));
        var outDir = o.Trainer.OutputDir;
        var staging = Path.Combine(outDir, ".staging");
        if (Directory.Exists(staging)) Directory.Delete(staging, true);
        Directory.CreateDirectory(staging);

        var records = ReadCorpus(o.CorpusPath);
        var template = new ChatTemplate(PretrainTokenizer.ChatTemplate);
        string Render(IReadOnlyList<ChatTurn> turns, bool gen) => template.Render(turns.Select(t => new ChatMessage(new ChatRole(t.Role), t.Content)), gen);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // The tokenizer learns the corpus' language; earlier stages are meant to be in that language (they need not add to its cost).
        var bpe = PretrainTokenizer.Write(staging, records.Select(r => TextOf(r, Render)), o.VocabSize, o.MaxSeqLen);
        OnMessage?.Invoke($"tokenizer: {bpe.Vocabulary.Count} tokens ({bpe.Merges.Count} merges) in {clock.Elapsed.TotalSeconds:F1} s");

        var tokenizer = TokenizerLoader.FromFolder(staging);
        List<TrainingExample> Examples(List<JsonlReader.Record> corpus, string path, bool lossOnPrompts)
        {
            var documents = corpus.Where(r => !r.Json.TryGetProperty("messages", out _)).ToList();
            var conversations = corpus.Where(r => r.Json.TryGetProperty("messages", out _)).ToList();
            var examples = new List<TrainingExample>();
            if (documents.Count > 0)
                examples.AddRange(new DatasetBuilder(tokenizer, TrainingTask.Causal, o.MaxSeqLen).Build(documents, path).Examples);
            if (conversations.Count > 0)
            {
                var sft = new DatasetBuilder(tokenizer, TrainingTask.Sft, o.MaxSeqLen) { ChatRenderer = Render }.Build(conversations, path);
                // A conversation cut before its answer teaches nothing; count them instead of printing one warning each.
                var usable = sft.Examples.Where(e => e.Labels.Any(l => l != TrainingExample.IgnoreIndex)).ToList();
                var truncated = sft.Warnings.Count(w => w.Contains("truncated", StringComparison.Ordinal));
                if (truncated > 0) OnMessage?.Invoke($"warning: {path}: {truncated} conversation(s) longer than {o.MaxSeqLen} tokens were truncated; {sft.Examples.Count - usable.Count} lost their answer and are skipped.");
                examples.AddRange(lossOnPrompts ? usable.Select(e => TrainingExample.ForCausal(e.InputIds)) : usable);
            }
            OnMessage?.Invoke($"data: {path}: {documents.Count} documents, {conversations.Count} conversations → {examples.Count} sequences, {examples.Sum(e => (long)e.InputIds.Length):N0} tokens");
            return examples;
        }
        var stageExamples = o.Stages.Select(st => Examples(ReadCorpus(st.CorpusPath), st.CorpusPath, o.ConversationLossOnPrompts)).ToList();
        var mainExamples = Examples(records, o.CorpusPath, o.ConversationLossOnPrompts);
        // Validation answers are scored on the answer alone, whatever the training loss covers.
        var validation = o.ValidationPath is { } vp ? Examples(ReadCorpus(vp), vp, lossOnPrompts: false) : null;
        var sequences = mainExamples.Count + stageExamples.Sum(e => e.Count);
        var tokens = mainExamples.Concat(stageExamples.SelectMany(e => e)).Sum(e => (long)e.InputIds.Length);

        using var model = ModelArchitectures.Create(ModelConfig.Parse(Config(o, bpe.Vocabulary.Count).ToJsonString(), Path.Combine(staging, "config.json")));
        model.InitializeWeights(o.Trainer.Seed);
        if (o.AttentionInit == AttentionInit.Mimetic)
        {
            var blocks = MimeticInitialization.Apply(model, o.Trainer.Seed + 1);
            OnMessage?.Invoke($"attention: mimetic initialisation of {blocks} blocks (W_q = W_k, W_o = W_vᵀ)");
        }
        var lm = (ICausalLanguageModel)model;
        Trainer NewTrainer(TrainerOptions trainerOptions) =>
            new(model, b => lm.Forward(b.InputIds, b.AttentionMask), trainerOptions with { PadTokenId = 0, Classification = false }) { OnProgress = OnProgress, OnMessage = OnMessage, LanguageModel = lm };
        var trainer = NewTrainer(o.Trainer);
        var parameters = trainer.ParameterCounts.Total;
        OnMessage?.Invoke($"model: llama, {parameters:N0} parameters (hidden {o.HiddenSize}, {o.Layers} layers, {o.Heads} heads, vocab {bpe.Vocabulary.Count})");
        clock.Restart();
        for (var i = 0; i < o.Stages.Count; i++)
        {
            // Each stage has its own folder for checkpoints and metrics: on resume a finished stage reloads its last
            // checkpoint and the next one then restores its own (if it had one), so an interrupted run continues where it stopped.
            var stage = o.Stages[i];
            OnMessage?.Invoke($"stage {i + 1} of {o.Stages.Count + 1}: {stage.Steps} steps of {stage.BatchSize} on {stage.CorpusPath}, peak learning rate {stage.LearningRate}");
            NewTrainer(o.Trainer with
            {
                OutputDir = Path.Combine(outDir, $"stage-{i + 1}"), MaxSteps = stage.Steps, BatchSize = stage.BatchSize, LearningRate = stage.LearningRate,
            }).Train(stageExamples[i], validation, cancellationToken);
        }
        if (o.Stages.Count > 0) OnMessage?.Invoke($"stage {o.Stages.Count + 1} of {o.Stages.Count + 1}: the corpus {o.CorpusPath}");
        var result = trainer.Train(mainExamples, validation, cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        model.eval();
        ModelSaver.Save(model, staging);
        // Config and weights appear in the output folder only once all of them are written.
        foreach (var f in Directory.GetFiles(staging)) File.Move(f, Path.Combine(outDir, Path.GetFileName(f)), overwrite: true);
        Directory.Delete(staging, true);
        OnMessage?.Invoke($"saved to {outDir}");
        return new PretrainResult(outDir, parameters, bpe.Vocabulary.Count, sequences, tokens, result, seconds);
    }

    /// <summary>The Llama <c>config.json</c> for <paramref name="o"/>.</summary>
    public static JsonObject Config(PretrainOptions o, int vocabSize) => new()
    {
        ["model_type"] = "llama",
        ["architectures"] = new JsonArray("LlamaForCausalLM"),
        ["vocab_size"] = vocabSize,
        ["hidden_size"] = o.HiddenSize,
        ["intermediate_size"] = o.EffectiveIntermediateSize,
        ["num_hidden_layers"] = o.Layers,
        ["num_attention_heads"] = o.Heads,
        ["num_key_value_heads"] = o.Heads,
        ["hidden_act"] = "silu",
        ["max_position_embeddings"] = o.MaxSeqLen,
        ["rms_norm_eps"] = 1e-5,
        ["rope_theta"] = o.RopeTheta,
        ["tie_word_embeddings"] = true,
        ["initializer_range"] = 0.02,
        ["bos_token_id"] = null,
        ["eos_token_id"] = PretrainTokenizer.SpecialTokens.ToList().IndexOf(PretrainTokenizer.EosToken),
        ["pad_token_id"] = 0,
        ["torch_dtype"] = "float32",
    };

    static List<JsonlReader.Record> ReadCorpus(string path)
    {
        if (!path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)) return JsonlReader.Read(path);
        var paragraphs = File.ReadAllText(path).ReplaceLineEndings("\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (paragraphs.Length == 0) throw new DatasetException($"{path}: the corpus has no text.");
        return paragraphs.Select((p, i) => new JsonlReader.Record(i + 1, JsonSerializer.SerializeToElement(new { text = p }))).ToList();
    }

    static string TextOf(JsonlReader.Record r, ChatRenderer render)
    {
        if (!r.Json.TryGetProperty("messages", out var messages)) return r.Json.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
        var turns = messages.EnumerateArray()
            .Select(m => new ChatTurn(m.GetProperty("role").GetString() ?? "", m.GetProperty("content").GetString() ?? "")).ToList();
        return render(turns, false);
    }
}
