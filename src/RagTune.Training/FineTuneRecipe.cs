using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;
using RagTune.Models;
using RagTune.Models.SafeTensors;
using RagTune.Models.Templates;
using RagTune.Models.Tokenization;
using RagTune.Training.Data;
using RagTune.Training.Lora;
using RagTune.Training.Reporting;
using TorchSharp;
using static TorchSharp.torch;

namespace RagTune.Training;

/// <summary>
/// The fine-tuning recipe behind <c>ragtune finetune</c> (torchtune style: setup, train, save): loads the model,
/// tokenizer and chat template, builds the datasets, attaches LoRA or trains in full, runs the <see cref="Trainer"/>,
/// and writes a Hugging Face folder (and/or a PEFT adapter) plus the tokenizer files. Nothing final is written before
/// training has succeeded, so a failed run never leaves a folder that looks complete. Prints nothing: human-readable
/// messages (options, data, parameter counts, where the outputs are) go to <paramref name="messages"/>, step and
/// evaluation records to <paramref name="progress"/>.
/// </summary>
public sealed class FineTuneRecipe(FineTuneOptions options, IProgress<string>? messages = null, IProgress<TrainingProgress>? progress = null)
{
    // Records print lists as their type name; JSON shows every value (enums by name).
    static readonly JsonSerializerOptions OptionsJson = new() { Converters = { new JsonStringEnumConverter() } };


    /// <summary>Runs the job; returns the training result.</summary>
    public TrainingResult Run(CancellationToken cancellationToken = default)
    {
        var o = options;
        Message("options: " + JsonSerializer.Serialize(o, OptionsJson));
        var tokenizer = TokenizerLoader.FromFolder(o.ModelDir);
        var template = ChatTemplate.FromFolder(o.ModelDir);
        var builder = new DatasetBuilder(tokenizer, o.Task, o.MaxSeqLen)
        {
            Packing = o.Packing,
            ChatRenderer = template is null ? null : (turns, gen) => template.Render(turns.Select(t => new ChatMessage(new ChatRole(t.Role), t.Content)), gen),
        };
        var train = builder.BuildFromFile(o.DataPath);
        IReadOnlyList<TrainingExample> trainSet = train.Examples;
        IReadOnlyList<TrainingExample>? evalSet = null;
        if (o.EvalPath is not null) evalSet = Report(builder.BuildFromFile(o.EvalPath, o.Task == TrainingTask.Classify ? train.ClassNames : null)).Examples;
        else if (o.EvalFraction > 0) (trainSet, evalSet) = DataSplit.Split(train.Examples, o.EvalFraction, o.Trainer.Seed);
        Report(train);
        Message($"data: {trainSet.Count} training sequences, {evalSet?.Count ?? 0} eval sequences");

        using var model = LoadModel(o, train.ClassNames);
        LoraModel? lora = null;
        if (o.Method == FineTuneMethod.Lora)
        {
            var cfg = (o.Lora ?? new LoraConfig()) with
            {
                BaseModelNameOrPath = Path.GetFullPath(o.ModelDir),
                TaskType = o.Task == TrainingTask.Classify ? "SEQ_CLS" : "CAUSAL_LM",
                ModulesToSave = o.Task == TrainingTask.Classify ? [ClassifierHead(model)] : [],
            };
            if (o.Lora is null || o.Lora.TargetModules.Count == 0) cfg = cfg with { TargetModules = DefaultTargets(model.Config.ModelType) };
            lora = LoraModel.Attach(model.Module, cfg, o.Trainer.Seed);
            if (o.Bf16) Message($"bf16: {StoreFrozenLinearsAsBf16(model):N0} frozen base weights stored in bf16 (the adapter trains in fp32)");
        }
        else if (o.Bf16)
            throw new ArgumentException("--bf16 stores the frozen base weights in bf16 and needs --method lora; full fine-tuning updates every weight " +
                                        "and keeps them in fp32. HINT: drop --bf16 or use --method lora.", nameof(options));
        if (o.GradientCheckpointing) model.BlockInvoker = GradientCheckpointing.Invoker;
        var trainer = new Trainer(model.Module, Forward(model), o.Trainer with { PadTokenId = tokenizer.PadTokenId ?? tokenizer.EosTokenId ?? 0, Classification = o.Task == TrainingTask.Classify },
                                  lora?.TrainableParameters())
        {
            OnProgress = progress is null ? null : progress.Report,
            OnMessage = Message,
            LanguageModel = o.Task != TrainingTask.Classify ? model as ICausalLanguageModel : null,
        };
        var (trainable, total) = lora?.ParameterCounts() ?? trainer.ParameterCounts;
        Message($"trainable parameters: {trainable:N0} of {total:N0} ({100.0 * trainable / total:F3}%)");
        var result = trainer.Train(trainSet, evalSet, cancellationToken);
        model.BlockInvoker = null;
        model.Module.eval();
        Save(o, model, lora, train.ClassNames);
        return result;
    }

    void Save(FineTuneOptions o, IPretrainedModel model, LoraModel? lora, IReadOnlyList<string> classNames)
    {
        var outDir = o.Trainer.OutputDir;
        var staging = Path.Combine(outDir, ".staging");
        if (Directory.Exists(staging)) Directory.Delete(staging, true);
        Directory.CreateDirectory(staging);
        if (lora is not null)
        {
            lora.SavePeft(staging);
            // The base config has no labels and PEFT's adapter_config.json has no field for them.
            if (classNames.Count > 0) AdapterFolder.WriteLabels(staging, classNames);
            if (o.Merge) { lora.Merge(); ModelSaver.Save(model, staging); }
        }
        else ModelSaver.Save(model, staging);
        TokenizerFiles.Copy(o.ModelDir, staging);
        // Config and weights appear in the output folder only once all of them are written.
        foreach (var f in Directory.GetFiles(staging)) File.Move(f, Path.Combine(outDir, Path.GetFileName(f)), overwrite: true);
        Directory.Delete(staging, true);
        Message($"saved to {outDir}");
    }

    /// <summary>
    /// Frozen projection weights (the bulk of a model) go to bf16: half the memory at rest, widened to fp32 per forward.
    /// Embeddings and norms stay fp32 (the activations' type), as do tied weights (shared with an embedding) and
    /// everything trainable. Returns the number of weights converted.
    /// </summary>
    static long StoreFrozenLinearsAsBf16(IPretrainedModel model)
    {
        long count = 0;
        foreach (var (name, module) in model.Module.named_modules())
        {
            if (module is not RagTune.Models.Nn.Linear linear || linear.weight.requires_grad) continue;
            if (model.TiedKeys.Contains(name + ".weight")) continue;
            count += linear.weight.numel();
            linear.StoreAs(ScalarType.BFloat16);
        }
        return count;
    }

    void Message(string text) => messages?.Report(text);

    TokenizedDataset Report(TokenizedDataset d)
    {
        foreach (var w in d.Warnings) Message("warning: " + w);
        return d;
    }

    static Func<TrainingBatch, Tensor> Forward(IPretrainedModel model) => model switch
    {
        ISequenceClassifier c => b => c.Forward(b.InputIds, b.AttentionMask),
        ICausalLanguageModel lm => b => lm.Forward(b.InputIds, b.AttentionMask),
        _ => throw new NotSupportedException($"{model.Architecture} is neither a causal LM nor a sequence classifier."),
    };

    /// <summary>LoRA targets PEFT uses by default for each family (attention query and value).</summary>
    public static IReadOnlyList<string> DefaultTargets(string modelType) => modelType switch
    {
        "gpt2" => ["c_attn"],
        "bert" => ["query", "value"],
        _ => ["q_proj", "v_proj"],
    };

    static string ClassifierHead(IPretrainedModel model) =>
        model.Module.named_modules().Select(m => m.name).FirstOrDefault(n => n is "classifier" or "score") ?? "classifier";

    /// <summary>
    /// Causal tasks load the checkpoint as it is. Classification builds the family's sequence-classification
    /// architecture with the data's labels, copies every base weight the checkpoint has and initialises the new head.
    /// </summary>
    static PretrainedModel LoadModel(FineTuneOptions o, IReadOnlyList<string> classNames) =>
        o.Task != TrainingTask.Classify ? ModelLoader.Load(o.ModelDir) : CreateClassifier(o.ModelDir, classNames, o.Trainer.Seed);

    /// <summary>
    /// The family's sequence-classification architecture over the checkpoint in <paramref name="modelDir"/> with
    /// <paramref name="classNames"/> as labels: every base weight the checkpoint has is copied, the head is initialised
    /// from <paramref name="seed"/> unless the checkpoint already has one of the right shape.
    /// </summary>
    public static PretrainedModel CreateClassifier(string modelDir, IReadOnlyList<string> classNames, int seed)
    {
        var config = ModelConfig.FromFolder(modelDir).Clone();
        var id2label = new JsonObject();
        var label2id = new JsonObject();
        for (var i = 0; i < classNames.Count; i++) { id2label[i.ToString()] = classNames[i]; label2id[classNames[i]] = i; }
        config.Raw["id2label"] = id2label;
        config.Raw["label2id"] = label2id;
        config.Raw["num_labels"] = classNames.Count;
        var arch = config.ModelType switch
        {
            "bert" => "BertForSequenceClassification",
            "llama" => "LlamaForSequenceClassification",
            "mistral" => "MistralForSequenceClassification",
            "qwen2" => "Qwen2ForSequenceClassification",
            var t => throw new NotSupportedException($"classification fine-tuning of model_type '{t}' is not supported; use a BERT or Llama-family model."),
        };
        var model = ModelArchitectures.Create(config, arch);
        model.InitializeWeights(seed);
        using var ckpt = SafeTensorsCheckpoint.Open(modelDir);
        var state = model.state_dict();
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        using (no_grad())
            foreach (var key in ckpt.Keys)
            {
                // A base checkpoint lacks the task prefix (bert./model.); try the key as is and with the prefix.
                var target = new[] { model.MapCheckpointKey(key), "bert." + key, "model." + key }
                    .FirstOrDefault(k => k is not null && state.ContainsKey(k) && !loaded.Contains(k));
                if (target is null) continue;
                if (!ckpt.Info(key).Shape.SequenceEqual(state[target].shape)) continue;   // e.g. an old head with other labels
                ckpt.CopyInto(key, state[target]);
                loaded.Add(target);
            }
        var missing = state.Keys.Where(k => !loaded.Contains(k) && !model.TiedKeys.Contains(k)).ToList();
        if (missing.Any(k => !k.StartsWith("classifier.") && !k.StartsWith("score.")))
            throw new ModelLoadException($"{modelDir}: the checkpoint lacks base weights for {arch}: {string.Join(", ", missing.Take(8))}.", modelDir);
        return model;
    }
}
