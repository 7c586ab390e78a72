using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using RagTune.Evaluation.Compare.Reports;

namespace RagTune.Application.Compare;

/// <summary>
/// Writes one training JSONL in the formats <c>ragtune finetune</c> reads — <c>{"text"}</c> (continued pre-training)
/// or <c>{"messages"}</c> (SFT through the model's chat template) — and remembers each record's text for the leakage
/// check. Written to a temp file and renamed, so a half-written file never looks complete.
/// </summary>
internal sealed class TrainingDataWriter(string path)
{
    readonly StringBuilder _lines = new();

    public string Path { get; } = path;
    public List<string> RecordTexts { get; } = [];

    public void AddText(string text)
    {
        _lines.AppendLine(new JsonObject { ["text"] = text }.ToJsonString());
        RecordTexts.Add(text);
    }

    public void AddConversation(IReadOnlyList<ChatMessage> prompt, string answer)
    {
        var messages = new JsonArray();
        foreach (var m in prompt) messages.Add(new JsonObject { ["role"] = m.Role.Value, ["content"] = m.Text });
        messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = answer });
        _lines.AppendLine(new JsonObject { ["messages"] = messages }.ToJsonString());
        RecordTexts.Add(string.Join("\n", prompt.Select(m => m.Text).Append(answer)));
    }

    public TrainingFile Save()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var bytes = Encoding.UTF8.GetBytes(_lines.ToString());
        var temp = Path + ".tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, Path, overwrite: true);
        return new TrainingFile(Path, Convert.ToHexStringLower(SHA256.HashData(bytes)), RecordTexts.Count);
    }
}
