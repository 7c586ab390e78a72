using System.Text;
using RagTune.Retrieval.Ingestion;
using RagTune.Retrieval.Tests.Support;

namespace RagTune.Retrieval.Tests;

public class BadFileTests
{
    [Fact]
    public async Task EachKindOfBadFileIsReportedAndTheBatchGoesOn()
    {
        using var kb = new TempKnowledgeBase();
        kb.Write("good.txt", "A good file about volcanoes.");
        kb.WriteBytes("empty.txt", []);
        kb.WriteBytes("junk.txt", [0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02, 0xff, 0x00]);
        kb.WriteBytes("latin1.txt", Encoding.Latin1.GetBytes("caf\u00e9 cr\u00e8me br\u00fbl\u00e9e"));
        kb.Write("huge.txt", new string('x', 5000));
        kb.WriteBytes("corrupt.pdf", Encoding.ASCII.GetBytes("%PDF-1.7\nthis is not really a pdf\n%%EOF"));
        kb.WriteBytes("corrupt.docx", [0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5]);
        kb.Write("broken.jsonl", "{\"text\": \"ok\"}\n{not json\n");
        kb.Write("also-good.md", "# Title\n\nAnother good file about glaciers.");

        var summary = await new KnowledgeBaseIngestor(kb.Kb, new IngestOptions { MaxFileBytes = 4096 }).IngestAsync([kb.Docs]);

        string Reason(string name) => Assert.Single(summary.Errors, e => Path.GetFileName(e.Path) == name).Reason;
        Assert.Contains("empty", Reason("empty.txt"));
        Assert.Contains("binary", Reason("junk.txt"));
        Assert.Contains("UTF-8", Reason("latin1.txt"));
        Assert.Contains("too large", Reason("huge.txt"));
        Assert.NotEmpty(Reason("corrupt.pdf"));
        Assert.NotEmpty(Reason("corrupt.docx"));
        Assert.Contains("line 2", Reason("broken.jsonl"));
        Assert.Equal(7, summary.Errors.Count);
        Assert.Equal(2, summary.DocumentsAdded);
        Assert.Equal(2, kb.Kb.GetStats().Documents);
    }

    [Fact]
    public async Task MissingPathIsAnErrorNotACrash()
    {
        using var kb = new TempKnowledgeBase();
        var summary = await new KnowledgeBaseIngestor(kb.Kb).IngestAsync([Path.Combine(kb.Docs, "nope.txt")]);
        Assert.Contains("no such file", Assert.Single(summary.Errors).Reason);
    }
}
