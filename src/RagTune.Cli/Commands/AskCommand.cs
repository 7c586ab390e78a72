using System.CommandLine;
using RagTune.Cli.Rag;
using RagTune.Retrieval.Generation;
using RagTune.Retrieval.Retrieval;

namespace RagTune.Cli.Commands;

/// <summary>
/// <c>ragtune ask --kb &lt;dir&gt; --model &lt;dir|http endpoint&gt; [--mode …] [-k 5] &lt;question&gt;</c>: retrieves, builds a
/// grounded prompt within the model's context, streams the answer, then lists the cited sources (document, span,
/// page). Abstains with "Not found in the sources." when nothing relevant is retrieved.
/// </summary>
public sealed class AskCommand : ICliCommand
{
    /// <inheritdoc/>
    public Command Build()
    {
        var kb = new Option<string>("--kb") { Description = "Knowledge-base folder.", Required = true };
        var model = new Option<string>("--model") { Description = "Chat model: a local checkpoint folder or an OpenAI-compatible endpoint (http://host/v1#model).", Required = true };
        var mode = new Option<string>("--mode") { Description = "bm25, dense or hybrid (default: hybrid with embeddings, else bm25)." };
        mode.AcceptOnlyFromAmong(RetrieverFactory.Modes);
        var k = new Option<int>("-k", "--top-k") { Description = "Sources retrieved.", DefaultValueFactory = _ => 5 };
        var context = new Option<int>("--context-tokens") { Description = "The model's context window.", DefaultValueFactory = _ => 2048 };
        var minScore = new Option<double?>("--min-score") { Description = "Relevance threshold; nothing above it ⇒ abstain." };
        var weights = CommandOptions.Weights();
        var question = new Argument<string>("question") { Description = "The question." };
        var command = new Command("ask", "Answer a question from a knowledge base with citations.") { kb, model, mode, k, context, minScore, weights, question };
        command.SetAction((ParseResult r, CancellationToken ct) => CommandAction.RunAsync(async () =>
        {
            var output = r.InvocationConfiguration.Output;
            using var store = KnowledgeBases.OpenForReading(r.GetValue(kb)!);
            var retriever = RetrieverFactory.Open(store, r.GetValue(mode) ?? (store.EmbeddingModel is null ? "bm25" : "hybrid"));
            var modelSpec = r.GetValue(model)!;
            using var chat = ModelClients.Chat(modelSpec, CommandOptions.Precision(r.GetValue(weights)));
            var window = ContextWindow(modelSpec, r.GetValue(context));
            var options = new GroundedAnswerOptions
            {
                AnswerTokens = Math.Min(384, window / 4),
                ContextTokens = window,
                TokenCounter = ModelClients.TokenCounter(modelSpec),
                Retrieval = new RetrievalOptions { TopK = r.GetValue(k), MinScore = r.GetValue(minScore) },
            };
            GroundedAnswer? answer = null;
            await foreach (var update in new GroundedAnswerGenerator(retriever, chat, options).AskStreamingAsync(r.GetValue(question)!, ct))
            {
                output.Write(update.Delta);
                answer = update.Answer ?? answer;
            }
            output.WriteLine();
            if (answer is { Abstained: false })
            {
                output.WriteLine();
                output.WriteLine("Sources:");
                foreach (var c in answer.Citations) output.WriteLine($"  {c}");
                if (answer.Citations.Count == 0)
                    foreach (var s in answer.Sources) output.WriteLine($"  [{s.Number}] {s.Retrieved.Chunk.Title} ({s.Retrieved.Chunk.SourcePath}) — not cited");
            }
            return ExitCode.Ok;
        }, r.InvocationConfiguration.Error, ct, badArguments: e => e is ArgumentException));
        return command;
    }

    /// <summary>The requested window, capped by a local checkpoint's <c>max_position_embeddings</c> (or
    /// <c>n_positions</c>) so the prompt never overflows the model; the answer budget shrinks to a quarter if needed.</summary>
    static int ContextWindow(string modelSpec, int requested)
    {
        var config = Path.Combine(modelSpec, "config.json");
        if (ModelClients.IsEndpoint(modelSpec) || !File.Exists(config)) return requested;
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(config));
        foreach (var key in new[] { "max_position_embeddings", "n_positions", "n_ctx" })
            if (json.RootElement.TryGetProperty(key, out var v) && v.TryGetInt32(out var max) && max > 0) return Math.Min(requested, max);
        return requested;
    }
}
