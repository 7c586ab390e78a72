using Microsoft.Playwright;
using RagTune.Server.Tests.FineTuning;
using RagTune.Server.Tests.Support;

namespace RagTune.Server.Tests.WebUi;

/// <summary>
/// The web UI in Debian's chromium (headless, driven by Playwright): drop a document into a new knowledge base, ask,
/// see the streamed answer with a citation and open the cited passage; upload a training file, start a fine-tuning
/// job and see its loss chart. Screenshots go to <c>screenshots/</c> beside the test assembly.
/// </summary>
[Trait("Tier", "Integration")]
public sealed class WebUiBrowserTests
{
    const string Chromium = "/usr/bin/chromium";
    static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Fact]
    public async Task Chat_with_citations_and_a_fine_tuning_job_in_a_real_browser()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing. HINT: apt-get install -y chromium (.ci/run does).");
        Directory.CreateDirectory(Screenshots);
        await using var server = await TestServer.StartAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        page.SetDefaultTimeout(60_000);
        var consoleErrors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") consoleErrors.Add(m.Text); };
        page.Response += (_, r) => { if (r.Status >= 400) consoleErrors.Add($"{r.Status} {r.Url}"); };
        await page.GotoAsync(server.BaseAddress.ToString());
        var model = Path.GetFileName(BigramChatModel.Path_);
        await Assertions.Expect(page.Locator("#chat-model option")).ToHaveTextAsync([model]);

        // Knowledge base: create, drop a document on the drop zone, wait for the ingest, test search.
        await page.ClickAsync("button[data-tab=kb]");
        await page.FillAsync("#kb-name", "docs");
        await page.ClickAsync("#kb-create button");
        await page.ClickAsync("#kb-list li:has-text('docs')");
        await page.Locator("#drop-zone").EvaluateAsync(@"(zone, text) => {
            const data = new DataTransfer();
            data.items.add(new File([text], 'veltoria.md', { type: 'text/markdown' }));
            zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
        }", BigramChatModel.Document);
        await Assertions.Expect(page.Locator("#ingest-text")).ToHaveAttributeAsync("data-status", "succeeded");
        await Assertions.Expect(page.Locator("#kb-docs")).ToContainTextAsync("veltoria.md");
        await page.FillAsync("#kb-query", "capital of Veltoria");
        await page.ClickAsync("#kb-search button");
        await Assertions.Expect(page.Locator("#kb-results li").First).ToContainTextAsync("Marnis");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "knowledge-base.png") });

        // Chat grounded in it: the answer streams in (SSE chunks), then its [1] opens the cited passage.
        await page.ClickAsync("button[data-tab=chat]");
        await page.SelectOptionAsync("#chat-kb", "docs");
        await page.FillAsync("#chat-input", "What is the capital of Veltoria?");
        var chat = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#chat-send"), r => r.Url.EndsWith("/v1/chat/completions"));
        Assert.Equal("text/event-stream", (await chat.HeaderValueAsync("content-type"))?.Split(';')[0]);
        var cite = page.Locator(".msg.assistant .cite").First;
        await Assertions.Expect(cite).ToBeVisibleAsync();
        var chunks = (await chat.TextAsync()).Split("\n\n").Count(e => e.Contains("\"content\":\"", StringComparison.Ordinal) && !e.Contains("\"content\":\"\"", StringComparison.Ordinal));
        Assert.True(chunks >= 3, $"the answer came in {chunks} content chunk(s), not streamed");
        await Assertions.Expect(page.Locator(".msg.assistant").First).ToContainTextAsync("Marnis is the capital of Veltoria");
        await cite.ClickAsync();
        await Assertions.Expect(page.Locator("#source-panel")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#cited-passage")).ToContainTextAsync("The capital of Veltoria is Marnis");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "chat-citation.png") });

        // Fine-tuning: upload a training file, start a small job, watch the loss chart fill and the job succeed.
        var data = Path.Combine(RagTune.Tests.TestPaths.NewTempDir("ui-train"), "train.jsonl");
        File.WriteAllText(data, FineTuningData.Jsonl);
        await page.ClickAsync("button[data-tab=ft]");
        await page.SetInputFilesAsync("#ft-file", data);
        await page.ClickAsync("#ft-upload button");
        await Assertions.Expect(page.Locator("#ft-files li")).ToContainTextAsync("train.jsonl");
        await page.SelectOptionAsync("#ft-model", model);
        await page.FillAsync("#ft-rank", "4");
        await page.FillAsync("#ft-steps", "6");
        await page.FillAsync("#ft-batch", "2");
        await page.FillAsync("#ft-lr", "5");
        await page.ClickAsync("#ft-create button[type=submit]");
        await Assertions.Expect(page.Locator("#ft-status")).ToHaveTextAsync("succeeded", new() { Timeout = 120_000 });
        var points = await page.Locator("#ft-chart polyline.loss").GetAttributeAsync("points");
        Assert.Equal(6, points!.Split(' ').Length);
        Assert.NotEqual("–", await page.Locator("#ft-tps").TextContentAsync());
        await Assertions.Expect(page.Locator("#ft-result")).ToContainTextAsync("Model ready: ft:");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "fine-tuning.png") });

        Assert.Empty(consoleErrors);
    }
}
