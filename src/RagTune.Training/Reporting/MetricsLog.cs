using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RagTune.Training.Reporting;

/// <summary><c>metrics.jsonl</c>: one JSON object per step or evaluation, and the loss curve points for the plot.</summary>
public sealed class MetricsLog
{
    readonly string _path;

    /// <summary>Opens (or, when resuming, trims to <paramref name="resumeStep"/>) the log in <paramref name="outputDir"/>.</summary>
    public MetricsLog(string outputDir, int? resumeStep)
    {
        _path = Path.Combine(outputDir, "metrics.jsonl");
        if (resumeStep is null) { File.WriteAllText(_path, ""); return; }
        // Lines written after the checkpoint we resume from will be written again; drop them so the log is the run's history.
        var kept = File.Exists(_path)
            ? File.ReadAllLines(_path).Where(l => l.Length > 0 && (JsonNode.Parse(l)?["step"]?.GetValue<int>() ?? 0) <= resumeStep)
            : [];
        File.WriteAllLines(_path, kept);
    }

    /// <summary>Path of the log file.</summary>
    public string Path_ => _path;

    /// <summary>Appends a record.</summary>
    public void Append(TrainingProgress p)
    {
        var o = new JsonObject { ["step"] = p.Step };
        if (p.Eval is { } e)
        {
            o["eval_loss"] = Round(e.Loss);
            o["perplexity"] = Round(e.Perplexity);
            if (e.Accuracy is { } a) o["accuracy"] = Round(a);
            if (e.MacroF1 is { } f) o["macro_f1"] = Round(f);
        }
        else
        {
            o["loss"] = Round(p.Loss);
            o["lr"] = p.LearningRate;
            o["grad_norm"] = Round(p.GradNorm);
            o["tokens_per_s"] = Math.Round(p.TokensPerSecond, 1);
        }
        File.AppendAllText(_path, o.ToJsonString() + "\n");
    }

    /// <summary>(step, loss) and (step, eval_loss) points read back from the file.</summary>
    public (List<(double Step, double Loss)> Train, List<(double Step, double Loss)> Eval) Points()
    {
        var train = new List<(double, double)>();
        var eval = new List<(double, double)>();
        foreach (var line in File.ReadLines(_path))
        {
            if (line.Length == 0) continue;
            using var d = JsonDocument.Parse(line);
            var step = d.RootElement.GetProperty("step").GetDouble();
            if (d.RootElement.TryGetProperty("loss", out var l)) train.Add((step, l.GetDouble()));
            if (d.RootElement.TryGetProperty("eval_loss", out var el)) eval.Add((step, el.GetDouble()));
        }
        return (train, eval);
    }

    static double Round(double v) => double.IsFinite(v) ? Math.Round(v, 6) : double.NaN;
}
