using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using RagTune.Models;
using RagTune.Server;

namespace RagTune.Bench;

/// <summary>
/// Load test of <c>ragtune serve</c> on loopback (the server in this process on Kestrel, clients over real HTTP):
/// first the batching ratio (total tokens/s of 8 concurrent streams against one stream), then N concurrent streaming
/// chats for a fixed time. Reports vLLM's serving metrics: requests/s, output tokens/s, TTFT, TPOT
/// ((latency − TTFT) / (output tokens − 1) per request) and ITL (every gap between streamed tokens) at p50/p95/p99,
/// errors by status, and process memory at start and end.
/// </summary>
public static class ServeBench
{
    const int PromptWords = 32;

    /// <summary>The default: a ~10M-parameter Llama (hidden 256, 6 layers, vocab 8192), without EOS.</summary>
    const string SmallConfig = """
        {"model_type":"llama","architectures":["LlamaForCausalLM"],"vocab_size":8192,"hidden_size":256,
         "num_hidden_layers":6,"num_attention_heads":4,"num_key_value_heads":2,"intermediate_size":768,
         "max_position_embeddings":2048,"rms_norm_eps":1e-5,"rope_theta":10000,"tie_word_embeddings":true,"hidden_act":"silu"}
        """;

    /// <summary><c>--shape smollm2</c>: SmolLM2-135M's shape (as the generation bench), without EOS so every answer runs to max_tokens.</summary>
    const string SmolLm2Config = """
        {"model_type":"llama","architectures":["LlamaForCausalLM"],"vocab_size":49152,"hidden_size":576,
         "num_hidden_layers":30,"num_attention_heads":9,"num_key_value_heads":3,"intermediate_size":1536,
         "max_position_embeddings":8192,"rms_norm_eps":1e-5,"rope_theta":100000,"tie_word_embeddings":true,"hidden_act":"silu"}
        """;

    sealed record RequestResult(int Status, double TtftMs, double LatencyMs, int OutputTokens, List<double> ItlMs);

    public static async Task<int> RunAsync(string[] args)
    {
        var concurrency = IntArg(args, "--concurrency", 32);
        var seconds = IntArg(args, "--seconds", 60);
        var maxTokens = IntArg(args, "--max-tokens", 64);
        var maxBatch = IntArg(args, "--max-batch", 8);
        var shape = Arg(args, "--shape") ?? "small";
        var modelDir = Arg(args, "--model") ?? CreateModel(shape == "smollm2" ? SmolLm2Config : SmallConfig, shape);
        var modelId = Path.GetFileName(modelDir.TrimEnd('/'));

        var options = new ServerOptions { Models = [modelDir], Urls = ["http://127.0.0.1:0"], MaxBatch = maxBatch, QueueLimit = 64 };
        await using var app = RagTuneServer.Build(options);
        await app.StartAsync();
        var address = new Uri(app.Urls.First() + "/");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(10) };
        while (!(await http.GetAsync("health")).IsSuccessStatusCode) await Task.Delay(100);
        Console.WriteLine($"serving {modelId} at {address} (max batch {maxBatch}); load {Load()}");
        await StreamAsync(http, modelId, 0, 8); // warm-up: JIT, first allocation of the batch cache
        var memoryStart = Process.GetCurrentProcess().WorkingSet64;

        // Batching ratio: the same fixed work (tokens per stream) alone, then 8 at once.
        var one = await ThroughputAsync(http, modelId, streams: 1, maxTokens);
        var eight = await ThroughputAsync(http, modelId, streams: 8, maxTokens);
        Console.WriteLine($"1 stream: {one:F1} tok/s; 8 streams: {eight:F1} tok/s total; ratio {eight / one:F2}×");

        Console.WriteLine($"load: {concurrency} concurrent streaming chats for {seconds} s, {maxTokens} tokens each …");
        var results = new List<RequestResult>();
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        var clients = Enumerable.Range(0, concurrency).Select(c => Task.Run(async () =>
        {
            var mine = new List<RequestResult>();
            for (var i = 0; clock.Elapsed < deadline; i++) mine.Add(await StreamAsync(http, modelId, c * 100_000 + i, maxTokens));
            return mine;
        })).ToList();
        foreach (var r in await Task.WhenAll(clients)) results.AddRange(r);
        var elapsed = clock.Elapsed.TotalSeconds;
        var memoryEnd = Process.GetCurrentProcess().WorkingSet64;

        var ok = results.Where(r => r.Status == 200).ToList();
        var ttft = Percentiles(ok.Select(r => r.TtftMs));
        var tpot = Percentiles(ok.Where(r => r.OutputTokens > 1).Select(r => (r.LatencyMs - r.TtftMs) / (r.OutputTokens - 1)));
        var itl = Percentiles(ok.SelectMany(r => r.ItlMs));
        var errors = results.Where(r => r.Status != 200).GroupBy(r => r.Status).ToDictionary(g => g.Key.ToString(), g => g.Count());
        var summary = new
        {
            benchmark = "serve",
            date = DateTime.UtcNow.ToString("o"),
            load_average = Load(),
            machine = new { cores = Environment.ProcessorCount },
            model = modelId,
            max_batch = maxBatch,
            concurrency,
            seconds = elapsed,
            max_tokens = maxTokens,
            prompt_words = PromptWords,
            requests = ok.Count,
            requests_per_second = ok.Count / elapsed,
            output_tokens_per_second = ok.Sum(r => r.OutputTokens) / elapsed,
            ttft_ms = ttft,
            tpot_ms = tpot,
            itl_ms = itl,
            errors,
            memory_start_mb = memoryStart / 1e6,
            memory_end_mb = memoryEnd / 1e6,
            batching = new { one_stream_tokens_per_second = one, eight_streams_tokens_per_second = eight, ratio = eight / one },
        };
        Console.WriteLine(JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
        var path = Path.Combine(RepoRoot(), "bench", "results", "serve.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
        await app.StopAsync();
        return 0;
    }

    /// <summary>Total generated tokens/s of <paramref name="streams"/> concurrent streams, each running 3 requests.</summary>
    static async Task<double> ThroughputAsync(HttpClient http, string model, int streams, int maxTokens)
    {
        var clock = Stopwatch.StartNew();
        var runs = await Task.WhenAll(Enumerable.Range(0, streams).Select(s => Task.Run(async () =>
        {
            var tokens = 0;
            for (var i = 0; i < 3; i++) tokens += (await StreamAsync(http, model, 900_000 + s * 10 + i, maxTokens)).OutputTokens;
            return tokens;
        })));
        return runs.Sum() / clock.Elapsed.TotalSeconds;
    }

    /// <summary>One streaming chat; times the first token and every gap between tokens as the client sees them.</summary>
    static async Task<RequestResult> StreamAsync(HttpClient http, string model, int seed, int maxTokens)
    {
        var random = new Random(seed);
        var prompt = string.Join(" ", Enumerable.Range(0, PromptWords).Select(_ => $"w{random.Next(1, 1000)}"));
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = JsonContent.Create(new
            {
                model, stream = true, max_tokens = maxTokens, temperature = 0,
                stream_options = new { include_usage = true },
                messages = new[] { new { role = "user", content = prompt } },
            }),
        };
        var started = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode) return new((int)response.StatusCode, 0, 0, 0, []);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        double? first = null;
        var last = 0.0;
        var gaps = new List<double>();
        var tokens = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]") continue;
            var chunk = JsonNode.Parse(line[6..])!;
            if (chunk["usage"] is { } usage) tokens = (int)usage["completion_tokens"]!;
            if (chunk["choices"] is not JsonArray { Count: > 0 } choices || choices[0]!["delta"]?["content"] is not JsonValue content
                || content.GetValue<string>().Length == 0) continue;
            var now = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (first is null) first = now; else gaps.Add(now - last);
            last = now;
        }
        return new(200, first ?? 0, Stopwatch.GetElapsedTime(started).TotalMilliseconds, tokens, gaps);
    }

    /// <summary>A Llama of the given shape with random weights, a word-level tokenizer and a ChatML template; no EOS (answers run to max_tokens).</summary>
    static string CreateModel(string configJson, string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"ragtune-serve-bench-{Guid.NewGuid():N}", name);
        Directory.CreateDirectory(dir);
        var config = ModelConfig.Parse(configJson);
        var vocab = config.VocabSize;
        var words = new JsonObject { ["<unk>"] = 0 };
        for (var i = 1; i < vocab - 2; i++) words[$"w{i}"] = i;
        var tokenizer = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(Special(vocab - 2, "<|im_start|>"), Special(vocab - 1, "<|im_end|>")),
            ["normalizer"] = null, ["pre_tokenizer"] = new JsonObject { ["type"] = "WhitespaceSplit" }, ["post_processor"] = null, ["decoder"] = null,
            ["model"] = new JsonObject { ["type"] = "WordLevel", ["unk_token"] = "<unk>", ["vocab"] = words },
        };
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), tokenizer.ToJsonString());
        const string template = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + ' ' + message['content'] + ' <|im_end|> ' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant ' }}{% endif %}";
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), new JsonObject { ["chat_template"] = template }.ToJsonString());
        using var model = ModelArchitectures.Create(config);
        model.InitializeWeights(1);
        ModelSaver.Save(model, dir);
        return dir;
    }

    static JsonObject Special(int id, string content) => new()
    {
        ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
    };

    static object Percentiles(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        double P(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        return new { p50 = Math.Round(P(0.50), 2), p95 = Math.Round(P(0.95), 2), p99 = Math.Round(P(0.99), 2), count = sorted.Length };
    }

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RagTune.slnx"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }

    static string? Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : null;

    static string? Arg(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    static int IntArg(string[] args, string name, int fallback) => Arg(args, name) is { } v ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
