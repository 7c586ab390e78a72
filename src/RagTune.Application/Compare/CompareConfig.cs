using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RagTune.Application.Compare;

/// <summary>
/// The <c>compare.json</c> contract: task, model (a Hugging Face folder or <c>http://host:port/v1#model-id</c>),
/// documents, train, test, update, arms, retrieval, training, seed and published reference results. Relative paths
/// resolve against <see cref="BaseDirectory"/> (the config file's folder). <see cref="Load"/> parses with errors that
/// name the file and field; <see cref="Validate"/> checks everything that can be checked before any long work.
/// </summary>
public sealed record CompareConfig
{
    /// <summary>The task names.</summary>
    public static IReadOnlyList<string> Tasks { get; } = ["qa", "multiple-choice", "classify", "summarize"];

    /// <summary>qa, multiple-choice, classify or summarize.</summary>
    public required string Task { get; init; }
    /// <summary>Base model: a folder, or an OpenAI-compatible endpoint <c>http(s)://host:port/v1#model-id</c> (base and rag only).</summary>
    public required string Model { get; init; }
    /// <summary>Document files or folders (the knowledge).</summary>
    public IReadOnlyList<string> Documents { get; init; } = [];
    /// <summary>Training JSONL (QA pairs, options with answer, or labelled texts); never the test items.</summary>
    public string? Train { get; init; }
    /// <summary>Test JSONL.</summary>
    public required string Test { get; init; }
    /// <summary>Knowledge update.</summary>
    public UpdateSettings? Update { get; init; }
    /// <summary>The arms, in report order.</summary>
    public IReadOnlyList<ArmSpec> Arms { get; init; } = [];
    /// <summary>Retrieval settings.</summary>
    public RetrievalSettings Retrieval { get; init; } = new();
    /// <summary>Training settings.</summary>
    public TrainingSettings Training { get; init; } = new();
    /// <summary>Seed of training, generation, sampling and the bootstrap.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>Most tokens generated per answer.</summary>
    public int MaxNewTokens { get; init; } = 32;
    /// <summary>Published numbers to show beside ours.</summary>
    public IReadOnlyList<ReferenceResultSpec> ReferenceResults { get; init; } = [];
    /// <summary>Notes of the config's author, shown in the report's notes (<c>notes</c>: a list of strings).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
    /// <summary>Folder that relative paths resolve against.</summary>
    public string BaseDirectory { get; init; } = Directory.GetCurrentDirectory();
    /// <summary>The config's JSON text (hashed into the report as <c>config_sha256</c>).</summary>
    public string? SourceJson { get; init; }
    /// <summary>Where the config was read from (null when built in code).</summary>
    public string? SourcePath { get; init; }

    /// <summary>Whether <see cref="Model"/> is an OpenAI-compatible endpoint.</summary>
    public bool IsRemoteModel => IsEndpoint(Model);

    /// <summary>Whether <paramref name="spec"/> is an http(s) endpoint rather than a folder.</summary>
    public static bool IsEndpoint(string spec) =>
        spec.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || spec.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary><paramref name="path"/> made absolute against <see cref="BaseDirectory"/> (endpoints unchanged).</summary>
    public string Resolve(string path) => IsEndpoint(path) ? path : Path.GetFullPath(Path.Combine(BaseDirectory, path));

    /// <summary>The task metric the verdict uses.</summary>
    public string MainMetric => Task switch
    {
        "qa" => "exact_match",
        "multiple-choice" => "acc",
        "classify" => "accuracy",
        _ => "rouge_l",
    };

    /// <summary>SHA-256 (hex) of the config's JSON text (or of its serialisation when built in code).</summary>
    public string Sha256() =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(SourceJson ?? JsonSerializer.Serialize(this with { SourceJson = null }))));

    /// <summary>Reads and parses <paramref name="path"/>; relative paths in it resolve against its folder.</summary>
    public static CompareConfig Load(string path)
    {
        if (!File.Exists(path)) throw new CompareConfigException($"{path}: config file not found. HINT: pass --config <compare.json> (see examples/compare/).");
        var text = File.ReadAllText(path);
        return Parse(text, Path.GetDirectoryName(Path.GetFullPath(path))!, path);
    }

    /// <summary>Parses config JSON; <paramref name="source"/> names it in errors.</summary>
    public static CompareConfig Parse(string json, string baseDirectory, string source = "compare.json")
    {
        JsonObject root;
        try { root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                     ?? throw new CompareConfigException($"{source}: the config must be a JSON object."); }
        catch (JsonException e) { throw new CompareConfigException($"{source}: malformed JSON ({e.Message}).", e); }
        var r = new ConfigReader(source);
        r.RejectUnknown(root, "", ["task", "model", "documents", "train", "test", "update", "arms", "retrieval", "training", "seed", "max_new_tokens", "reference_results", "notes", "$schema", "description"]);
        var task = r.RequiredString(root, "task");
        if (!Tasks.Contains(task)) throw r.Error("task", $"'{task}' is not a task; expected one of {string.Join(", ", Tasks)}");
        var arms = root["arms"] as JsonArray ?? throw r.Error("arms", "required: a list of arm names or {\"name\", …settings} objects");
        var training = root["training"] is JsonObject t ? ParseTraining(r, t, "training", new TrainingSettings()) : new TrainingSettings();
        return new CompareConfig
        {
            Task = task,
            Model = r.RequiredString(root, "model"),
            Documents = r.StringList(root, "documents"),
            Train = r.OptionalString(root, "train"),
            Test = r.RequiredString(root, "test"),
            Update = root["update"] is JsonObject u ? ParseUpdate(r, u) : root["update"] is null ? null : throw r.Error("update", "must be an object {\"documents\": [...], \"test\": \"...\"}"),
            Arms = arms.Select((a, i) => ParseArm(r, a, i, training)).ToList(),
            Retrieval = root["retrieval"] is JsonObject ro ? ParseRetrieval(r, ro) : new RetrievalSettings(),
            Training = training,
            Seed = r.Int(root, "seed") ?? 42,
            MaxNewTokens = r.Int(root, "max_new_tokens") ?? 32,
            ReferenceResults = root["reference_results"] is JsonArray refs ? refs.Select((x, i) => ParseReference(r, x, i)).ToList() : [],
            Notes = r.StringList(root, "notes"),
            BaseDirectory = baseDirectory,
            SourceJson = json,
            SourcePath = source,
        };
    }

    static UpdateSettings ParseUpdate(ConfigReader r, JsonObject u)
    {
        r.RejectUnknown(u, "update.", ["documents", "test"]);
        return new UpdateSettings { Documents = r.StringList(u, "documents", "update."), Test = r.RequiredString(u, "test", "update.") };
    }

    static ArmSpec ParseArm(ConfigReader r, JsonNode? node, int index, TrainingSettings training)
    {
        var field = $"arms[{index}]";
        if (node is JsonValue v && v.TryGetValue<string>(out var name)) return new ArmSpec { Name = name };
        if (node is not JsonObject o) throw r.Error(field, "must be an arm name or an object with \"name\"");
        var p = field + ".";
        r.RejectUnknown(o, p, ["name", "paraphrases", "rewrites", "from", "distractors", "oracle_fraction", "k", "training"]);
        var arm = new ArmSpec { Name = r.RequiredString(o, "name", p) };
        return arm with
        {
            Paraphrases = r.Int(o, "paraphrases", p) ?? arm.Paraphrases,
            Rewrites = r.OptionalString(o, "rewrites", p),
            From = r.OptionalString(o, "from", p),
            Distractors = r.Int(o, "distractors", p) ?? arm.Distractors,
            OracleFraction = r.Double(o, "oracle_fraction", p) ?? arm.OracleFraction,
            K = r.Int(o, "k", p),
            Training = o["training"] is JsonObject t ? ParseTraining(r, t, p + "training", training) : null,
        };
    }

    static RetrievalSettings ParseRetrieval(ConfigReader r, JsonObject o)
    {
        r.RejectUnknown(o, "retrieval.", ["mode", "k", "embed_model", "chunk_tokens", "context_tokens"]);
        var d = new RetrievalSettings();
        return new RetrievalSettings
        {
            Mode = r.OptionalString(o, "mode", "retrieval.") ?? d.Mode,
            K = r.Int(o, "k", "retrieval.") ?? d.K,
            EmbedModel = r.OptionalString(o, "embed_model", "retrieval.") is { } em ? (Models.Onnx.EmbeddingModelLocator.IsNone(em) ? null : em) : d.EmbedModel,
            ChunkTokens = r.Int(o, "chunk_tokens", "retrieval.") ?? d.ChunkTokens,
            ContextTokens = r.Int(o, "context_tokens", "retrieval.") ?? d.ContextTokens,
        };
    }

    /// <summary>Parses a training object; absent fields keep <paramref name="defaults"/> (an arm's override starts from the config's).</summary>
    static TrainingSettings ParseTraining(ConfigReader r, JsonObject o, string field, TrainingSettings defaults)
    {
        var p = field + ".";
        r.RejectUnknown(o, p, ["method", "epochs", "learning_rate", "lora_r", "max_seq_len", "batch_size", "packing"]);
        var d = defaults;
        return new TrainingSettings
        {
            Method = r.OptionalString(o, "method", p) ?? d.Method,
            Epochs = r.Int(o, "epochs", p) ?? d.Epochs,
            LearningRate = r.Double(o, "learning_rate", p) ?? d.LearningRate,
            LoraR = r.Int(o, "lora_r", p) ?? d.LoraR,
            MaxSeqLen = r.Int(o, "max_seq_len", p) ?? d.MaxSeqLen,
            BatchSize = r.Int(o, "batch_size", p) ?? d.BatchSize,
            Packing = r.Bool(o, "packing", p) ?? d.Packing,
        };
    }

    static ReferenceResultSpec ParseReference(ConfigReader r, JsonNode? node, int index)
    {
        var p = $"reference_results[{index}].";
        if (node is not JsonObject o) throw r.Error(p.TrimEnd('.'), "must be an object {source, arm, metric, value, note}");
        return new ReferenceResultSpec(r.RequiredString(o, "source", p), r.RequiredString(o, "arm", p), r.RequiredString(o, "metric", p),
            r.Double(o, "value", p) ?? throw r.Error(p + "value", "required: the published number (0..1 for rates)"), r.OptionalString(o, "note", p));
    }

    /// <summary>
    /// Everything checkable before long work: known task and arms, files that exist, settings in range, no training arm
    /// (and no multiple-choice scoring) with a remote model, data each arm needs. Test files are parsed by the runner.
    /// </summary>
    public void Validate()
    {
        var src = SourcePath ?? "compare config";
        CompareConfigException Err(string field, string what) => new($"{src}: field \"{field}\": {what}.");
        if (!Tasks.Contains(Task)) throw Err("task", $"'{Task}' is not a task; expected one of {string.Join(", ", Tasks)}");
        if (Arms.Count == 0) throw Err("arms", "at least one arm is needed, e.g. [\"base\", \"rag\", \"ft-task\"]");
        foreach (var (arm, i) in Arms.Select((a, i) => (a, i)))
        {
            if (!ArmSpec.KnownNames.Contains(arm.Name))
                throw Err($"arms[{i}]", $"unknown arm '{arm.Name}'; expected one of {string.Join(", ", ArmSpec.KnownNames)}");
            if (Arms.Take(i).Any(a => a.Name == arm.Name)) throw Err($"arms[{i}]", $"arm '{arm.Name}' is listed twice");
            if ((arm.Trains || arm.Name == "ft+rag") && IsRemoteModel)
                throw Err($"arms[{i}]", $"arm '{arm.Name}' needs training, and model '{Model}' is a remote endpoint. HINT: use a local Hugging Face folder as \"model\", or keep only base and rag with an endpoint");
            if (arm.Name is "ft-task" or "raft" && Train is null) throw Err("train", $"arm '{arm.Name}' trains on the training set; add \"train\": \"train.jsonl\"");
            if (arm.Name is "ft-docs" or "ft-paraphrase" && Documents.Count == 0) throw Err("documents", $"arm '{arm.Name}' trains on the documents; add \"documents\": [\"docs/\"]");
            if (arm.Name is "rag" or "ft+rag" or "raft" && Task != "classify" && Documents.Count == 0) throw Err("documents", $"arm '{arm.Name}' retrieves from the documents; add \"documents\": [\"docs/\"]");
            if (arm.Name is "rag" && Task == "classify" && Train is null) throw Err("train", "for classify, rag retrieves the nearest labelled training examples; add \"train\"");
            if (arm.Name == "raft" && Task is "classify") throw Err($"arms[{i}]", "raft needs questions and documents; it does not apply to classify");
            if (arm.From is { } from && !(from is "ft-docs" or "ft-paraphrase" or "ft-task" or "raft"))
                throw Err($"arms[{i}].from", $"'{from}' is not a trained arm; expected ft-docs, ft-paraphrase, ft-task or raft");
            if (arm.Paraphrases < 1) throw Err($"arms[{i}].paraphrases", "must be at least 1");
            if (arm.OracleFraction is < 0 or > 1) throw Err($"arms[{i}].oracle_fraction", "must be between 0 and 1");
            if (arm.Rewrites is { } rw && !File.Exists(Resolve(rw)) && !Directory.Exists(Resolve(rw))) throw Err($"arms[{i}].rewrites", $"'{Resolve(rw)}' does not exist");
            ValidateTraining(arm.Training, $"arms[{i}].training", Err);
        }
        if (Task == "multiple-choice" && IsRemoteModel)
            throw Err("model", "multiple-choice scores options by their log-likelihood under the model, which a chat endpoint does not expose (no /v1/completions echo+logprobs support yet). HINT: use a local Hugging Face folder");
        if (!IsRemoteModel && !File.Exists(Path.Combine(Resolve(Model), "config.json")))
            throw Err("model", $"'{Resolve(Model)}' is not a Hugging Face model folder (no config.json) nor an http(s)://host:port/v1#model-id endpoint");
        RequireFile(Test, "test", Err);
        if (Train is not null) RequireFile(Train, "train", Err);
        foreach (var d in Documents) RequirePath(d, "documents", Err);
        if (Update is not null)
        {
            RequireFile(Update.Test, "update.test", Err);
            foreach (var d in Update.Documents) RequirePath(d, "update.documents", Err);
        }
        if (Retrieval.Mode is not ("bm25" or "dense" or "hybrid")) throw Err("retrieval.mode", $"'{Retrieval.Mode}' is not a mode; expected bm25, dense or hybrid");
        if (Retrieval.Mode != "bm25" && Retrieval.EmbedModel is null) throw Err("retrieval.embed_model", $"mode '{Retrieval.Mode}' needs an embedding model (minilm, arctic-xs, a folder or an endpoint), not none");
        if (Retrieval.K < 1) throw Err("retrieval.k", "must be at least 1");
        if (Retrieval.ChunkTokens < 16) throw Err("retrieval.chunk_tokens", "must be at least 16");
        if (Retrieval.ContextTokens < 64) throw Err("retrieval.context_tokens", "must be at least 64");
        if (MaxNewTokens < 1) throw Err("max_new_tokens", "must be at least 1");
        ValidateTraining(Training, "training", Err);
    }

    static void ValidateTraining(TrainingSettings? t, string field, Func<string, string, CompareConfigException> err)
    {
        if (t is null) return;
        if (t.Method is not ("lora" or "full")) throw err(field + ".method", $"'{t.Method}' is not a method; expected lora or full");
        if (t.Epochs < 1) throw err(field + ".epochs", "must be at least 1");
        if (t.LearningRate is <= 0 or > 1) throw err(field + ".learning_rate", "must be in (0, 1]");
        if (t.LoraR < 1) throw err(field + ".lora_r", "must be at least 1");
        if (t.MaxSeqLen < 8) throw err(field + ".max_seq_len", "must be at least 8");
        if (t.BatchSize < 1) throw err(field + ".batch_size", "must be at least 1");
    }

    void RequireFile(string path, string field, Func<string, string, CompareConfigException> err)
    {
        if (!File.Exists(Resolve(path))) throw err(field, $"file '{Resolve(path)}' does not exist");
    }

    void RequirePath(string path, string field, Func<string, string, CompareConfigException> err)
    {
        if (!File.Exists(Resolve(path)) && !Directory.Exists(Resolve(path))) throw err(field, $"'{Resolve(path)}' does not exist (a document file or folder was expected)");
    }
}
