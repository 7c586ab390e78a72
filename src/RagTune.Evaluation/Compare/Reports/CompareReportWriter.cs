using System.Text.Json;
using System.Text.Json.Serialization;

namespace RagTune.Evaluation.Compare.Reports;

/// <summary>Writes <c>report.json</c>, <c>report.md</c> and <c>report.html</c>, each atomically (temp file + rename).</summary>
public static class CompareReportWriter
{
    /// <summary>File names in the output folder.</summary>
    public const string JsonFileName = "report.json", MarkdownFileName = "report.md", HtmlFileName = "report.html";

    /// <summary>snake_case, indented, NaN written as null (JSON has no NaN).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new NaNAsNullConverter() },
    };

    /// <summary>Writes the three files into <paramref name="outDir"/>.</summary>
    public static void Write(CompareReport report, string outDir)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(outDir);
        WriteAtomically(Path.Combine(outDir, JsonFileName), ToJson(report));
        WriteAtomically(Path.Combine(outDir, MarkdownFileName), CompareMarkdown.Render(report));
        WriteAtomically(Path.Combine(outDir, HtmlFileName), CompareHtml.Render(report));
    }

    /// <summary>The report as JSON text.</summary>
    public static string ToJson(CompareReport report) => JsonSerializer.Serialize(report, JsonOptions);

    /// <summary>Reads a report.json back.</summary>
    public static CompareReport Read(string path) =>
        JsonSerializer.Deserialize<CompareReport>(File.ReadAllText(path), JsonOptions) ?? throw new InvalidDataException($"{path}: empty report.");

    /// <summary>Writes <paramref name="text"/> to a temp file beside <paramref name="path"/>, then renames it over.</summary>
    public static void WriteAtomically(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }

    sealed class NaNAsNullConverter : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsNaN(value) || double.IsInfinity(value)) writer.WriteNullValue();
            else writer.WriteNumberValue(value);
        }

        public override bool HandleNull => true;
    }
}
