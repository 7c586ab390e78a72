using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using RagTune.Retrieval.Ingestion;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace RagTune.Retrieval.Tests;

public class ReaderTests
{
    static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    static void AssertBlocksIndexText(SourceDocument d)
    {
        foreach (var b in d.Blocks) Assert.InRange(b.End, b.Start, d.Text.Length);
    }

    [Fact]
    public void MarkdownKeepsHeadingsAsStructure()
    {
        var d = new MarkdownReader().Read("/x/guide.md", Utf8("# Guide\n\nIntro text.\n\n## Install\n\nRun the installer.\n\n### Linux\n\nUse apt.\n")).Single();
        Assert.Equal("Guide", d.Title);
        var apt = d.Blocks.Single(b => d.Text.Substring(b.Start, b.Length) == "Use apt.");
        Assert.Equal("Guide > Install > Linux", apt.HeadingPath);
        AssertBlocksIndexText(d);
    }

    [Fact]
    public void HtmlTakesTitleAndMainTextWithoutChrome()
    {
        var html = "<html><head><title>Page T</title><script>var x=1;</script></head><body><nav>Menu Home</nav><main><h1>Head</h1><p>Body <b>bold</b> text.</p><ul><li>item one</li></ul></main><footer>Copyright</footer></body></html>";
        var d = new HtmlReader().Read("/x/p.html", Utf8(html)).Single();
        Assert.Equal("Page T", d.Title);
        Assert.Contains("Body bold text.", d.Text);
        Assert.Contains("item one", d.Text);
        Assert.DoesNotContain("Menu", d.Text);
        Assert.DoesNotContain("var x", d.Text);
        Assert.Equal("Head", d.Blocks.Last().HeadingPath);
    }

    [Fact]
    public void PdfHasTextPerPage()
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4).AddText("Volcanoes erupt lava.", 12, new UglyToad.PdfPig.Core.PdfPoint(50, 700), font);
        builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4).AddText("Glaciers carve valleys.", 12, new UglyToad.PdfPig.Core.PdfPoint(50, 700), font);
        var d = new PdfReader().Read("/x/geo.pdf", builder.Build()).Single();
        var glaciers = d.Blocks.Single(b => d.Text.Substring(b.Start, b.Length).Contains("Glaciers"));
        Assert.Equal(2, glaciers.Page);
        Assert.Equal(1, d.Blocks.Single(b => d.Text.Substring(b.Start, b.Length).Contains("Volcanoes")).Page);
    }

    [Fact]
    public void DocxHeadingsAndParagraphs()
    {
        using var stream = new MemoryStream();
        using (var word = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = word.AddMainDocumentPart();
            main.Document = new Document(new Body(
                new Paragraph(new ParagraphProperties(new ParagraphStyleId { Val = "Heading1" }), new Run(new Text("Safety"))),
                new Paragraph(new Run(new Text("Wear gloves at all times.")))));
        }
        var d = new DocxReader().Read("/x/manual.docx", stream.ToArray()).Single();
        var gloves = d.Blocks.Single(b => !b.IsHeading);
        Assert.Equal("Wear gloves at all times.", d.Text.Substring(gloves.Start, gloves.Length));
        Assert.Equal("Safety", gloves.HeadingPath);
    }

    [Fact]
    public void JsonlCsvAndBeirRecords()
    {
        var jsonl = new JsonReader(new RecordFieldOptions { TextFields = ["body"], MetadataFields = ["lang"] })
            .Read("/x/a.jsonl", Utf8("{\"id\":\"7\",\"title\":\"T\",\"body\":\"hello world\",\"lang\":\"en\",\"skip\":1}\n")).Single();
        Assert.Equal("/x/a.jsonl#7", jsonl.Id);
        Assert.Equal("hello world", jsonl.Text);
        Assert.Equal("en", Assert.Single(jsonl.Metadata).Value);

        var csv = new CsvReader().Read("/x/t.csv", Utf8("id,text,tag\n1,\"quoted, with comma\",x\n2,\"multi\nline\",y\n")).ToList();
        Assert.Equal(2, csv.Count);
        Assert.Equal("quoted, with comma", csv[0].Text);
        Assert.Equal("y", csv[1].Metadata["tag"]);

        var beir = new BeirCorpusReader().Read("/x/corpus.jsonl", Utf8("{\"_id\":\"doc1\",\"title\":\"Aspirin\",\"text\":\"Aspirin reduces fever.\"}\n")).Single();
        Assert.Equal("doc1", beir.Id);
        Assert.Equal("Aspirin", beir.Title);
        Assert.Contains("Aspirin reduces fever.", beir.Text);
    }

    [Fact]
    public void NonUtf8AndBinaryAreRejected()
    {
        Assert.Throws<InvalidDataException>(() => new PlainTextReader().Read("/x/a.txt", [0x63, 0xe9, 0x20]).ToList());
        Assert.Throws<InvalidDataException>(() => new PlainTextReader().Read("/x/a.txt", [0x63, 0x00, 0x20]).ToList());
    }
}
