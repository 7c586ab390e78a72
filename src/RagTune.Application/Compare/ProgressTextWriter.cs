using System.Text;

namespace RagTune.Application.Compare;

/// <summary>A text writer that turns each written line into a <see cref="CompareProgress"/> report (the fine-tuning recipe's console output).</summary>
internal sealed class ProgressTextWriter(string step, IProgress<CompareProgress>? progress) : TextWriter
{
    readonly StringBuilder _line = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        if (value == '\n') { Flush(); return; }
        if (value != '\r') _line.Append(value);
    }

    public override void Flush()
    {
        if (_line.Length > 0) progress?.Report(new CompareProgress(step, _line.ToString()));
        _line.Clear();
    }
}
