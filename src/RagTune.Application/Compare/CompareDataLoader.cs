using System.Text.Json;
using RagTune.Training.Data;

namespace RagTune.Application.Compare;

/// <summary>Reads test/training JSONL for a task, with errors naming the file, line and field (task/data mismatch included).</summary>
public static class CompareDataLoader
{
    /// <summary>The items of <paramref name="path"/> for <paramref name="task"/>.</summary>
    public static IReadOnlyList<CompareItem> Load(string path, string task)
    {
        List<JsonlReader.Record> records;
        try { records = JsonlReader.Read(path); }
        catch (DatasetException e) { throw new CompareConfigException(e.Message, e); }
        var items = records.Select(r => Parse(r, path, task)).ToList();
        var dup = items.GroupBy(i => i.Id).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new CompareConfigException($"{path}: id \"{dup.Key}\" occurs {dup.Count()} times; ids must be unique.");
        return items;
    }

    static CompareItem Parse(JsonlReader.Record r, string path, string task)
    {
        var at = $"{path}:{r.Line}";
        CompareConfigException Err(string what) => new($"{at}: {what} (task {task}).");
        string? Str(string field) => r.Json.TryGetProperty(field, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.Null => null,
            _ => throw Err($"field \"{field}\" must be a string"),
        } : null;
        string Need(string field, string hint) => Str(field) is { Length: > 0 } s ? s : throw Err($"missing field \"{field}\"; {hint}");
        List<string> List(string field)
        {
            if (!r.Json.TryGetProperty(field, out var v)) return [];
            if (v.ValueKind == JsonValueKind.String) return [v.GetString()!];
            if (v.ValueKind != JsonValueKind.Array) throw Err($"field \"{field}\" must be a list of strings");
            return v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToList();
        }
        var id = Str("id") ?? $"line{r.Line}";
        IReadOnlyList<string> document = (Str("document") ?? Str("doc")) is { } one ? [one] : List("gold_documents") is { Count: > 0 } gold ? gold : List("documents");
        switch (task)
        {
            case "qa":
            {
                var question = Need("question", "qa items are {\"id\",\"question\",\"answers\":[…]}");
                var unanswerable = r.Json.TryGetProperty("unanswerable", out var u) && u.ValueKind == JsonValueKind.True;
                var answers = List("answers").Concat(List("answer")).ToList();
                if (!unanswerable && answers.Count == 0) throw Err("field \"answers\" is empty or missing; give the reference answer(s), or mark the question \"unanswerable\": true");
                return new CompareItem { Id = id, Input = question, Answers = answers, Unanswerable = unanswerable, Documents = document };
            }
            case "multiple-choice":
            {
                var question = Need("question", "multiple-choice items are {\"id\",\"question\",\"options\":[…],\"answer_index\"}");
                var options = List("options");
                if (options.Count < 2) throw Err("field \"options\" needs at least 2 options");
                if (!r.Json.TryGetProperty("answer_index", out var ai) || !ai.TryGetInt32(out var index) || index < 0 || index >= options.Count)
                    throw Err($"field \"answer_index\" must be an integer from 0 to {options.Count - 1}");
                return new CompareItem { Id = id, Input = question, Options = options, AnswerIndex = index, Answers = [options[index]], Documents = document };
            }
            case "classify":
            {
                var text = Need("text", "classify items are {\"id\",\"text\",\"label\"}");
                var label = Need("label", "classify items are {\"id\",\"text\",\"label\"}");
                return new CompareItem { Id = id, Input = text, Label = label, Answers = [label] };
            }
            default:
            {
                var text = Need("text", "summarize items are {\"id\",\"text\",\"summary\"}");
                var summaries = List("summary").Concat(List("summaries")).ToList();
                if (summaries.Count == 0) throw Err("missing field \"summary\" (the reference summary)");
                return new CompareItem { Id = id, Input = text, Answers = summaries, Documents = document };
            }
        }
    }
}
