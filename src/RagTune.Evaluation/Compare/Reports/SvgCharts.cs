using System.Globalization;
using System.Net;
using System.Text;

namespace RagTune.Evaluation.Compare.Reports;

/// <summary>
/// Inline SVG charts for the HTML report (no scripts, no external assets): quality per arm with interval whiskers on
/// a 0–100 % axis, quality against cost, and latency p50/p95 per arm.
/// </summary>
public static class SvgCharts
{
    const int Width = 640, Height = 300, Left = 60, Right = 20, Top = 20, Bottom = 60;

    static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    static string E(string s) => WebUtility.HtmlEncode(s);

    /// <summary>Bars of <paramref name="metric"/> (0–1) per arm with 95% interval whiskers; y axis 0–100 %.</summary>
    public static string QualityBars(CompareReport report, string metric)
    {
        var arms = report.Arms.Where(a => a.Metrics.TryGetValue(metric, out var m) && !double.IsNaN(m.Value)).ToList();
        var sb = Begin($"{metric} per arm (95% bootstrap interval)");
        YAxis(sb, 100, "%");
        var slot = (double)(Width - Left - Right) / Math.Max(1, arms.Count);
        for (var i = 0; i < arms.Count; i++)
        {
            var m = arms[i].Metrics[metric];
            var x = Left + i * slot + slot * 0.2;
            var w = slot * 0.6;
            var y = Y(m.Value * 100, 100);
            sb.Append($"<rect x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(w)}\" height=\"{F(Height - Bottom - y)}\" fill=\"#4e79a7\"><title>{E(arms[i].Name)}: {F(100 * m.Value)} %</title></rect>");
            if (m.CiLow is { } lo && m.CiHigh is { } hi)
            {
                var cx = x + w / 2;
                sb.Append($"<line x1=\"{F(cx)}\" x2=\"{F(cx)}\" y1=\"{F(Y(lo * 100, 100))}\" y2=\"{F(Y(hi * 100, 100))}\" stroke=\"#222\" stroke-width=\"2\"/>");
                foreach (var v in new[] { lo, hi })
                    sb.Append($"<line x1=\"{F(cx - 8)}\" x2=\"{F(cx + 8)}\" y1=\"{F(Y(v * 100, 100))}\" y2=\"{F(Y(v * 100, 100))}\" stroke=\"#222\" stroke-width=\"2\"/>");
            }
            sb.Append($"<text x=\"{F(x + w / 2)}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\" font-size=\"12\">{E(arms[i].Name)}</text>");
            sb.Append($"<text x=\"{F(x + w / 2)}\" y=\"{F(y - 4)}\" text-anchor=\"middle\" font-size=\"11\">{F(100 * m.Value)}</text>");
        }
        return End(sb);
    }

    /// <summary>Scatter of quality (0–100 %) against cost in seconds (training + answering the test set).</summary>
    public static string QualityVsCost(CompareReport report, string metric, Func<ArmReport, double> costSeconds)
    {
        var points = report.Arms.Where(a => a.Metrics.TryGetValue(metric, out var m) && !double.IsNaN(m.Value))
            .Select(a => (a.Name, Cost: costSeconds(a), Q: a.Metrics[metric].Value * 100)).ToList();
        var maxCost = NiceMax(points.Count == 0 ? 1 : points.Max(p => p.Cost));
        var sb = Begin($"{metric} against cost (training + answering the test set, seconds)");
        YAxis(sb, 100, "%");
        for (var t = 0; t <= 4; t++)
        {
            var v = maxCost * t / 4;
            sb.Append($"<text x=\"{F(X(v, maxCost))}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\" font-size=\"11\">{F(v)}</text>");
        }
        sb.Append($"<text x=\"{(Width + Left) / 2}\" y=\"{Height - 20}\" text-anchor=\"middle\" font-size=\"12\">seconds</text>");
        foreach (var p in points)
        {
            var (x, y) = (X(p.Cost, maxCost), Y(p.Q, 100));
            sb.Append($"<circle cx=\"{F(x)}\" cy=\"{F(y)}\" r=\"5\" fill=\"#e15759\"><title>{E(p.Name)}: {F(p.Q)} %, {F(p.Cost)} s</title></circle>");
            sb.Append($"<text x=\"{F(x + 7)}\" y=\"{F(y - 6)}\" font-size=\"11\">{E(p.Name)}</text>");
        }
        return End(sb);
    }

    /// <summary>Grouped bars of latency p50 and p95 (ms) per arm.</summary>
    public static string Latency(CompareReport report)
    {
        var arms = report.Arms.Where(a => a.Metrics.ContainsKey("latency_p50_ms")).ToList();
        var max = NiceMax(arms.Count == 0 ? 1 : arms.Max(a => a.Metrics.GetValueOrDefault("latency_p95_ms")?.Value ?? a.Metrics["latency_p50_ms"].Value));
        var sb = Begin("Latency per query (ms): p50 (dark), p95 (light)");
        YAxis(sb, max, "");
        var slot = (double)(Width - Left - Right) / Math.Max(1, arms.Count);
        for (var i = 0; i < arms.Count; i++)
        {
            var x = Left + i * slot + slot * 0.15;
            var w = slot * 0.35;
            var bars = new[] { ("latency_p50_ms", "#59a14f"), ("latency_p95_ms", "#a0cbe8") };
            for (var b = 0; b < bars.Length; b++)
            {
                if (!arms[i].Metrics.TryGetValue(bars[b].Item1, out var m)) continue;
                var y = Y(m.Value, max);
                sb.Append($"<rect x=\"{F(x + b * w)}\" y=\"{F(y)}\" width=\"{F(w)}\" height=\"{F(Height - Bottom - y)}\" fill=\"{bars[b].Item2}\"><title>{E(arms[i].Name)} {bars[b].Item1}: {F(m.Value)} ms</title></rect>");
            }
            sb.Append($"<text x=\"{F(x + w)}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\" font-size=\"12\">{E(arms[i].Name)}</text>");
        }
        return End(sb);
    }

    /// <summary>A round upper bound for an axis (1, 2 or 5 × 10^k).</summary>
    public static double NiceMax(double v)
    {
        if (v <= 0 || double.IsNaN(v)) return 1;
        var p = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (var m in new[] { 1.0, 2, 5, 10 }) if (m * p >= v) return m * p;
        return 10 * p;
    }

    static double Y(double v, double max) => Height - Bottom - Math.Clamp(v / max, 0, 1) * (Height - Top - Bottom);
    static double X(double v, double max) => Left + Math.Clamp(v / max, 0, 1) * (Width - Left - Right);

    static StringBuilder Begin(string title) => new StringBuilder()
        .Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{E(title)}\">")
        .Append($"<text x=\"{Left}\" y=\"14\" font-size=\"13\" font-weight=\"bold\">{E(title)}</text>");

    static void YAxis(StringBuilder sb, double max, string unit)
    {
        for (var t = 0; t <= 4; t++)
        {
            var v = max * t / 4;
            var y = Y(v, max);
            sb.Append($"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{F(y)}\" y2=\"{F(y)}\" stroke=\"#ddd\"/>");
            sb.Append($"<text x=\"{Left - 6}\" y=\"{F(y + 4)}\" text-anchor=\"end\" font-size=\"11\">{F(v)}{unit}</text>");
        }
        sb.Append($"<line x1=\"{Left}\" x2=\"{Left}\" y1=\"{Top}\" y2=\"{Height - Bottom}\" stroke=\"#444\"/>");
    }

    static string End(StringBuilder sb) => sb.Append("</svg>").ToString();
}
