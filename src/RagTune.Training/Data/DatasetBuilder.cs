using System.Text.Json;
using RagTune.Models.Tokenization;

namespace RagTune.Training.Data;

/// <summary>
/// Turns JSONL records into <see cref="TrainingExample"/>s for a <see cref="TrainingTask"/>: causal packing with EOS
/// between documents, SFT masking (labels −100 outside assistant/completion tokens), classification label ids.
/// </summary>
public sealed class DatasetBuilder
{
    readonly ITokenizer _tokenizer;
    readonly TrainingTask _task;
    readonly int _maxSeqLen;

    /// <summary>Renders <c>messages</c> records for SFT; null when the model has no chat template.</summary>
    public ChatRenderer? ChatRenderer { get; init; }

    /// <summary>Causal task: concatenate documents (EOS between) into full <c>maxSeqLen</c> blocks; off = one sequence per document.</summary>
    public bool Packing { get; init; } = true;

    /// <summary>Creates a builder; <paramref name="maxSeqLen"/> is the longest sequence kept (longer ones are truncated with a warning).</summary>
    public DatasetBuilder(ITokenizer tokenizer, TrainingTask task, int maxSeqLen)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSeqLen, 2);
        (_tokenizer, _task, _maxSeqLen) = (tokenizer, task, maxSeqLen);
    }

    /// <summary>Reads and tokenizes a JSONL file. For classify eval data pass the training <paramref name="classNames"/>.</summary>
    public TokenizedDataset BuildFromFile(string path, IReadOnlyList<string>? classNames = null) =>
        Build(JsonlReader.Read(path), path, classNames);

    /// <summary>Tokenizes parsed records (<paramref name="source"/> names them in errors).</summary>
    public TokenizedDataset Build(IReadOnlyList<JsonlReader.Record> records, string source, IReadOnlyList<string>? classNames = null)
    {
        var warnings = new List<string>();
        return _task switch
        {
            TrainingTask.Causal => new(BuildCausal(records, source, warnings), [], warnings),
            TrainingTask.Sft => new(records.Select(r => BuildSft(r, source, warnings)).ToList(), [], warnings),
            _ => BuildClassify(records, source, classNames, warnings),
        };
    }

    List<TrainingExample> BuildCausal(IReadOnlyList<JsonlReader.Record> records, string source, List<string> warnings)
    {
        var eos = _tokenizer.EosTokenId ?? throw new DatasetException(
            $"{source}: the tokenizer has no EOS token, needed between packed documents. HINT: set eos_token in tokenizer_config.json.");
        var result = new List<TrainingExample>();
        var buffer = new List<int>();
        var truncated = 0;
        foreach (var r in records)
        {
            var ids = _tokenizer.Encode(JsonlReader.RequireString(r, "text", source), addSpecialTokens: true).ToList();
            ids.Add(eos);
            if (!Packing)
            {
                if (ids.Count > _maxSeqLen) { truncated++; ids = ids.Take(_maxSeqLen).ToList(); }
                result.Add(TrainingExample.ForCausal([.. ids]));
                continue;
            }
            buffer.AddRange(ids);
            while (buffer.Count >= _maxSeqLen)
            {
                result.Add(TrainingExample.ForCausal([.. buffer.Take(_maxSeqLen)]));
                buffer.RemoveRange(0, _maxSeqLen);
            }
        }
        // The remainder becomes a shorter last sequence (padded at batch time) rather than being dropped.
        if (buffer.Count >= 2) result.Add(TrainingExample.ForCausal([.. buffer]));
        if (truncated > 0) warnings.Add($"{source}: {truncated} document(s) longer than --max-seq-len {_maxSeqLen} were truncated.");
        return result;
    }

    TrainingExample BuildSft(JsonlReader.Record r, string source, List<string> warnings)
    {
        List<int> ids, labels;
        if (r.Json.TryGetProperty("messages", out var messages))
            (ids, labels) = BuildConversation(r, messages, source);
        else if (r.Json.TryGetProperty("prompt", out _))
        {
            var prompt = _tokenizer.Encode(JsonlReader.RequireString(r, "prompt", source), addSpecialTokens: true);
            var completion = _tokenizer.Encode(JsonlReader.RequireString(r, "completion", source), addSpecialTokens: false).ToList();
            if (_tokenizer.EosTokenId is int eos) completion.Add(eos);
            ids = [.. prompt, .. completion];
            labels = [.. Enumerable.Repeat(TrainingExample.IgnoreIndex, prompt.Count), .. completion];
        }
        else throw new DatasetException($"{source}:{r.Line}: an sft record needs \"messages\" or \"prompt\"+\"completion\".");
        if (ids.Count > _maxSeqLen)
        {
            warnings.Add($"{source}:{r.Line}: {ids.Count} tokens, truncated to --max-seq-len {_maxSeqLen}.");
            ids = ids.Take(_maxSeqLen).ToList();
            labels = labels.Take(_maxSeqLen).ToList();
        }
        if (labels.All(l => l == TrainingExample.IgnoreIndex))
            warnings.Add($"{source}:{r.Line}: no assistant/completion tokens left to learn from (after truncation).");
        return new TrainingExample([.. ids], [.. labels]);
    }

    (List<int> Ids, List<int> Labels) BuildConversation(JsonlReader.Record r, JsonElement messages, string source)
    {
        if (ChatRenderer is null)
            throw new DatasetException($"{source}:{r.Line}: \"messages\" need a chat template, and the model folder has none. " +
                                       "HINT: use a model with chat_template in tokenizer_config.json, or {\"prompt\",\"completion\"} records.");
        if (messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            throw new DatasetException($"{source}:{r.Line}: field \"messages\" must be a non-empty array.");
        var turns = new List<ChatTurn>();
        var i = 0;
        foreach (var m in messages.EnumerateArray())
        {
            string Field(string f) => m.ValueKind == JsonValueKind.Object && m.TryGetProperty(f, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()! : throw new DatasetException($"{source}:{r.Line}: messages[{i}] needs a string \"{f}\".");
            turns.Add(new ChatTurn(Field("role"), Field("content")));
            i++;
        }
        if (!turns.Any(t => t.Role == "assistant"))
            throw new DatasetException($"{source}:{r.Line}: \"messages\" has no assistant message to learn from.");
        // The template adds BOS itself, so the rendered text is tokenized without special tokens. Token boundaries of
        // each assistant answer come from tokenizing the rendered prefixes (templates put special tokens at turn edges).
        var ids = _tokenizer.Encode(ChatRenderer(turns, false), addSpecialTokens: false).ToList();
        var labels = Enumerable.Repeat(TrainingExample.IgnoreIndex, ids.Count).ToList();
        for (var k = 0; k < turns.Count; k++)
        {
            if (turns[k].Role != "assistant") continue;
            var start = _tokenizer.Encode(ChatRenderer(turns.Take(k).ToList(), true), addSpecialTokens: false).Count;
            var end = Math.Min(ids.Count, _tokenizer.Encode(ChatRenderer(turns.Take(k + 1).ToList(), false), addSpecialTokens: false).Count);
            for (var t = start; t < end; t++) labels[t] = ids[t];
        }
        return (ids, labels);
    }

    TokenizedDataset BuildClassify(IReadOnlyList<JsonlReader.Record> records, string source, IReadOnlyList<string>? classNames, List<string> warnings)
    {
        var texts = records.Select(r => (r, Text: JsonlReader.RequireString(r, "text", source), Label: JsonlReader.RequireString(r, "label", source))).ToList();
        // Training data defines the label set (sorted, so ids do not depend on record order); eval data must use it.
        var names = classNames ?? texts.Select(t => t.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        if (classNames is null && names.Count < 2)
            throw new DatasetException($"{source}: classification needs at least 2 distinct labels, found {names.Count} ({string.Join(", ", names)}).");
        var index = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        var truncated = 0;
        var examples = new List<TrainingExample>();
        foreach (var (r, text, label) in texts)
        {
            if (!index.TryGetValue(label, out var id))
                throw new DatasetException($"{source}:{r.Line}: field \"label\" has unknown label \"{label}\"; the training labels are {string.Join(", ", names)}.");
            var ids = _tokenizer.Encode(text, addSpecialTokens: true).ToArray();
            if (ids.Length > _maxSeqLen) { truncated++; ids = ids[.._maxSeqLen]; }
            examples.Add(TrainingExample.ForClass(ids, id));
        }
        if (truncated > 0) warnings.Add($"{source}: {truncated} text(s) longer than --max-seq-len {_maxSeqLen} were truncated.");
        return new TokenizedDataset(examples, names, warnings);
    }
}
