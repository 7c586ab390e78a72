using System.CommandLine;
using RagTune.Application;
using RagTune.Retrieval.Generation;

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
        var mode = CommandOptions.Mode("bm25, dense or hybrid (default: hybrid with embeddings, else bm25).");
        var k = new Option<int>("-k", "--top-k") { Description = "Sources retrieved.", DefaultValueFactory = _ => 5 };
        var context = new Option<int>("--context-tokens") { Description = "The model's context window (capped by a local model's own).", DefaultValueFactory = _ => 2048 };
        var minScore = new Option<double?>("--min-score") { Description = "Relevance threshold; nothing above it ⇒ abstain." };
        var weights = CommandOptions.Weights();
        var question = new Argument<string>("question") { Description = "The question." };
        var command = new Command("ask", "Answer a question from a knowledge base with citations.") { kb, model, mode, k, context, minScore, weights, question };
        command.SetAction((ParseResult r, CancellationToken ct) => CommandAction.RunAsync(async () =>
        {
            var output = CliOutput.For(r);
            var request = new AskRequest
            {
                KnowledgeBase = r.GetValue(kb)!, Model = r.GetValue(model)!, Question = r.GetValue(question)!,
                Mode = CommandOptions.ModeValue(r.GetValue(mode)), TopK = r.GetValue(k), ContextTokens = r.GetValue(context),
                MinScore = r.GetValue(minScore), ModelOptions = CommandOptions.ModelOptions(CommandOptions.Precision(r.GetValue(weights))),
            };
            GroundedAnswer? answer = null;
            await foreach (var update in AskService.AskStreamingAsync(request, cancellationToken: ct))
            {
                output.Out.Write(update.Delta);
                answer = update.Answer ?? answer;
            }
            output.Line();
            if (answer is { Abstained: false }) RenderSources(output, answer);
            return ExitCode.Ok;
        }, r.InvocationConfiguration.Error, ct, badArguments: e => e is ArgumentException));
        return command;
    }

    static void RenderSources(CliOutput output, GroundedAnswer answer)
    {
        output.Line();
        output.Line("Sources:");
        foreach (var c in answer.Citations) output.Line($"  {c}");
        if (answer.Citations.Count == 0)
            foreach (var s in answer.Sources) output.Line($"  [{s.Number}] {s.Retrieved.Chunk.Title} ({s.Retrieved.Chunk.SourcePath}) — not cited");
    }
}
