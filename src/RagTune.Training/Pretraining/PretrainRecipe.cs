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
/// checkpoints and <see cref="TrainerOptions.Resume"/> as in fine-tuning) and writes a Hugging Face folder:
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
        var bpe = PretrainTokenizer.Write(staging, records.Select(r => TextOf(r, Render)), o.VocabSize, o.MaxSeqLen);
        OnMessage?.Invoke($"tokenizer: {bpe.Vocabulary.Count} tokens ({bpe.Merges.Count} merges) in {clock.Elapsed.TotalSeconds:F1} s");

        var tokenizer = TokenizerLoader.FromFolder(staging);
        var documents = records.Where(r => !r.Json.TryGetProperty("messages", out _)).ToList();
        var conversations = records.Where(r => r.Json.TryGetProperty("messages", out _)).ToList();
        var examples = new List<TrainingExample>();
        if (documents.Count > 0)
            examples.AddRange(new DatasetBuilder(tokenizer, TrainingTask.Causal, o.MaxSeqLen).Build(documents, o.CorpusPath).Examples);
        if (conversations.Count > 0)
        {
            var sft = new DatasetBuilder(tokenizer, TrainingTask.Sft, o.MaxSeqLen) { ChatRenderer = Render }.Build(conversations, o.CorpusPath);
            // A conversation cut before its answer teaches nothing; count them instead of printing one warning each.
            var usable = sft.Examples.Where(e => e.Labels.Any(l => l != TrainingExample.IgnoreIndex)).ToList();
            var truncated = sft.Warnings.Count(w => w.Contains("truncated", StringComparison.Ordinal));
            if (truncated > 0) OnMessage?.Invoke($"warning: {truncated} conversation(s) longer than {o.MaxSeqLen} tokens were truncated; {sft.Examples.Count - usable.Count} lost their answer and are skipped.");
            examples.AddRange(o.ConversationLossOnPrompts ? usable.Select(e => TrainingExample.ForCausal(e.InputIds)) : usable);
        }
        var tokens = examples.Sum(e => (long)e.InputIds.Length);
        OnMessage?.Invoke($"data: {documents.Count} documents, {conversations.Count} conversations → {examples.Count} sequences, {tokens:N0} tokens");

        using var model = ModelArchitectures.Create(ModelConfig.Parse(Config(o, bpe.Vocabulary.Count).ToJsonString(), Path.Combine(staging, "config.json")));
        model.InitializeWeights(o.Trainer.Seed);
        if (o.AttentionInit == AttentionInit.Mimetic)
        {
            var blocks = MimeticInitialization.Apply(model, o.Trainer.Seed + 1);
            OnMessage?.Invoke($"attention: mimetic initialisation of {blocks} blocks (W_q = W_k, W_o = W_vᵀ)");
        }
        var lm = (ICausalLanguageModel)model;
        var trainer = new Trainer(model, b => lm.Forward(b.InputIds, b.AttentionMask), o.Trainer with { PadTokenId = 0, Classification = false })
        {
            OnProgress = OnProgress,
            OnMessage = OnMessage,
        };
        var parameters = trainer.ParameterCounts.Total;
        OnMessage?.Invoke($"model: llama, {parameters:N0} parameters (hidden {o.HiddenSize}, {o.Layers} layers, {o.Heads} heads, vocab {bpe.Vocabulary.Count})");
        clock.Restart();
        var result = trainer.Train(examples, null, cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        model.eval();
        ModelSaver.Save(model, staging);
        // Config and weights appear in the output folder only once all of them are written.
        foreach (var f in Directory.GetFiles(staging)) File.Move(f, Path.Combine(outDir, Path.GetFileName(f)), overwrite: true);
        Directory.Delete(staging, true);
        OnMessage?.Invoke($"saved to {outDir}");
        return new PretrainResult(outDir, parameters, bpe.Vocabulary.Count, examples.Count, tokens, result, seconds);
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
        ["rope_theta"] = 10000.0,
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
