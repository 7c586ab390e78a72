using System.Net;
using System.Text;

namespace RagTune.Evaluation.Compare.Reports;

/// <summary>The self-contained <c>report.html</c>: inline CSS and SVG, no scripts or external assets; the Markdown tables as HTML.</summary>
public static class CompareHtml
{
    /// <summary>Renders <paramref name="report"/>.</summary>
    public static string Render(CompareReport report)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ragtune compare report</title><style>")
          .Append("body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}")
          .Append("table{border-collapse:collapse;margin:1em 0;font-size:14px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}")
          .Append("td:first-child,th:first-child{text-align:left}.verdict{background:#f3f7fb;border-left:4px solid #4e79a7;padding:1em}")
          .Append("svg{display:block;margin:1em 0}</style></head><body>");
        sb.Append($"<h1>ragtune compare — {E(report.Task)}</h1>");
        sb.Append($"<p>Seed {report.Seed}; config SHA-256 <code>{E(report.ConfigSha256)}</code>; {report.TestItems} test items");
        if (report.UpdateItems > 0) sb.Append($", {report.UpdateItems} after the update");
        sb.Append($"; {report.BootstrapResamples} bootstrap resamples per interval.</p>");
        sb.Append($"<h2>Verdict</h2><p class=\"verdict\">{E(report.Verdict)}</p>");
        sb.Append(SvgCharts.QualityBars(report, report.MainMetric));
        sb.Append(SvgCharts.QualityVsCost(report, report.MainMetric, CostSeconds));
        sb.Append(SvgCharts.Latency(report));
        // The Markdown renderer's tables are reused: each section's pipe table becomes an HTML table.
        sb.Append(MarkdownTables(CompareMarkdown.Render(report)));
        sb.Append("</body></html>");
        return sb.ToString();
    }

    /// <summary>Training seconds plus the time to answer the test set: what the arm cost end to end.</summary>
    public static double CostSeconds(ArmReport arm) =>
        (arm.Metrics.GetValueOrDefault("training_seconds")?.Value ?? 0) +
        arm.Items.Sum(i => i.LatencyMs) / 1000.0;

    static string E(string s) => WebUtility.HtmlEncode(s);

    /// <summary>Headings, pipe tables, bullet lists and paragraphs of the report's Markdown (the verdict section is skipped: it is above the charts).</summary>
    static string MarkdownTables(string markdown)
    {
        var sb = new StringBuilder();
        var lines = markdown.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var skip = false;
        var inTable = false;
        var inList = false;
        foreach (var line in lines)
        {
            if (line.StartsWith("# ", StringComparison.Ordinal)) continue;
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                Close(ref inTable, ref inList);
                skip = line == "## Verdict";
                if (!skip) sb.Append($"<h2>{E(line[3..])}</h2>");
                continue;
            }
            if (skip) continue;
            if (line.StartsWith('|'))
            {
                var cells = line.Trim('|').Split('|').Select(c => c.Trim()).ToList();
                if (cells.All(c => c.Trim(':').All(ch => ch == '-') && c.Length > 0)) continue;
                if (!inTable) { Close(ref inTable, ref inList); sb.Append("<table><tr>").Append(string.Concat(cells.Select(c => $"<th>{Inline(c)}</th>"))).Append("</tr>"); inTable = true; }
                else sb.Append("<tr>").Append(string.Concat(cells.Select(c => $"<td>{Inline(c)}</td>"))).Append("</tr>");
                continue;
            }
            if (line.TrimStart().StartsWith("- ", StringComparison.Ordinal))
            {
                if (inTable) { sb.Append("</table>"); inTable = false; }
                if (!inList) { sb.Append("<ul>"); inList = true; }
                sb.Append($"<li>{Inline(line.TrimStart()[2..])}</li>");
                continue;
            }
            Close(ref inTable, ref inList);
            if (line.Trim().Length > 0 && !line.StartsWith("Seed ", StringComparison.Ordinal)) sb.Append($"<p>{Inline(line)}</p>");
        }
        Close(ref inTable, ref inList);
        return sb.ToString();

        void Close(ref bool table, ref bool list)
        {
            if (table) { sb.Append("</table>"); table = false; }
            if (list) { sb.Append("</ul>"); list = false; }
        }
    }

    static string Inline(string text)
    {
        var e = E(text);
        // `code` and **bold** only.
        var parts = e.Split('`');
        for (var i = 1; i < parts.Length; i += 2) parts[i] = $"<code>{parts[i]}</code>";
        e = string.Join("", parts);
        var bold = e.Split("**");
        for (var i = 1; i < bold.Length; i += 2) bold[i] = $"<b>{bold[i]}</b>";
        return string.Join("", bold);
    }
}
