using System.Text;
using Microsoft.Extensions.AI;
using RagTune.Models.Templates;

namespace RagTune.Models.Gguf;

/// <summary>
/// An Ollama <c>Modelfile</c> for an exported GGUF: <c>FROM</c>, a Go <c>TEMPLATE</c> derived from the Hugging Face chat
/// template, and <c>PARAMETER stop</c> for the end-of-turn and EOS tokens. The Jinja template is not translated; it is
/// rendered with marker messages and cut into the text around the system prompt, the user prompt and the response,
/// which Ollama's template fields (<c>.System</c>, <c>.Prompt</c>, <c>.Response</c>) fill in again.
/// </summary>
public static class OllamaModelfile
{
    const string System = "\u0001SYSTEM\u0001", User = "\u0001USER\u0001", Reply = "\u0001REPLY\u0001";

    /// <summary>The pieces of one turn as the chat template renders them.</summary>
    public sealed record TurnTemplate(string Start, string? SystemStart, string? SystemEnd, string AfterPrompt, string AfterResponse);

    /// <summary>Cuts <paramref name="template"/> into the text around system prompt, prompt and response.</summary>
    /// <param name="template">The model's chat template.</param>
    /// <param name="bosToken">Removed from the start: llama.cpp and Ollama add BOS themselves.</param>
    public static TurnTemplate Derive(ChatTemplate template, string? bosToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        var single = Strip(template.Render([new ChatMessage(ChatRole.User, User)], addGenerationPrompt: true), bosToken);
        var (start, afterPrompt) = Around(single, User, "a user message");
        var exchange = Strip(template.Render([new ChatMessage(ChatRole.User, User), new ChatMessage(ChatRole.Assistant, Reply)], addGenerationPrompt: false), bosToken);
        var afterResponse = exchange[(exchange.IndexOf(Reply, StringComparison.Ordinal) + Reply.Length)..];
        string? systemStart = null, systemEnd = null;
        try
        {
            var withSystem = Strip(template.Render([new ChatMessage(ChatRole.System, System), new ChatMessage(ChatRole.User, User)], addGenerationPrompt: true), bosToken);
            if (withSystem.Contains(System, StringComparison.Ordinal))
            {
                var (before, rest) = Around(withSystem, System, "a system message");
                systemStart = before;
                systemEnd = rest[..rest.IndexOf(User, StringComparison.Ordinal)];
            }
        }
        catch (TemplateException)
        {
            // Templates that refuse a system role (e.g. Mistral v0.1) get none.
        }
        return new TurnTemplate(start, systemStart, systemEnd, afterPrompt, afterResponse);
    }

    /// <summary>The Modelfile text.</summary>
    public static string Build(string ggufFileName, TurnTemplate turn, IEnumerable<string> stops)
    {
        var go = new StringBuilder();
        if (turn.SystemStart is not null)
            go.Append("{{ if .System }}").Append(Go(turn.SystemStart)).Append("{{ .System }}").Append(Go(turn.SystemEnd!))
              .Append("{{ else }}").Append(Go(turn.Start)).Append("{{ end }}");
        else go.Append(Go(turn.Start));
        go.Append("{{ .Prompt }}").Append(Go(turn.AfterPrompt)).Append("{{ .Response }}").Append(Go(turn.AfterResponse));
        var sb = new StringBuilder();
        sb.Append("FROM ./").Append(ggufFileName).Append('\n');
        sb.Append("TEMPLATE \"\"\"").Append(go).Append("\"\"\"\n");
        foreach (var stop in stops.Where(s => s.Length > 0).Distinct())
            sb.Append("PARAMETER stop \"").Append(stop.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append("\"\n");
        return sb.ToString();
    }

    /// <summary>The stop strings: the template's end-of-response text (trimmed) and the EOS token.</summary>
    public static IReadOnlyList<string> Stops(TurnTemplate turn, string? eosToken)
    {
        var stops = new List<string>();
        if (turn.AfterResponse.Trim() is { Length: > 0 } end) stops.Add(end);
        if (eosToken is not null && !stops.Contains(eosToken)) stops.Add(eosToken);
        return stops;
    }

    /// <summary>What Ollama's template produces for one turn (to check a derivation against the Jinja rendering).</summary>
    public static string Apply(TurnTemplate turn, string? system, string prompt) =>
        (system is not null && turn.SystemStart is not null ? turn.SystemStart + system + turn.SystemEnd : turn.Start) + prompt + turn.AfterPrompt;

    static (string Before, string After) Around(string text, string marker, string what)
    {
        var i = text.IndexOf(marker, StringComparison.Ordinal);
        if (i < 0 || text.IndexOf(marker, i + 1, StringComparison.Ordinal) >= 0)
            throw new TemplateException($"the chat template does not render {what} exactly once; it cannot be turned into an Ollama template.");
        return (text[..i], text[(i + marker.Length)..]);
    }

    static string Strip(string text, string? bos) =>
        bos is { Length: > 0 } && text.StartsWith(bos, StringComparison.Ordinal) ? text[bos.Length..] : text;

    // Literal "{{" in Go template text must come out of a string action.
    static string Go(string literal) => literal.Replace("{{", "{{ \"{{\" }}");
}
