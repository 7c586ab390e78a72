using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using RagTune.Models.Templates.Jinja;

namespace RagTune.Models.Templates;

/// <summary>
/// A Hugging Face chat template (Jinja2) rendered the way transformers' <c>apply_chat_template</c> does:
/// <c>trim_blocks</c> and <c>lstrip_blocks</c> on, one trailing newline of the template dropped, with
/// <c>messages</c>, <c>add_generation_prompt</c>, the special tokens (<c>bos_token</c>, <c>eos_token</c>, …),
/// <c>raise_exception</c> and <c>strftime_now</c> in scope. Implements the Jinja subset chat templates use;
/// anything else fails with a <see cref="TemplateException"/> naming the construct and its line and column.
/// </summary>
public sealed class ChatTemplate
{
    static readonly string[] SpecialTokenNames = ["bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token", "mask_token"];

    readonly List<Node> _nodes;
    readonly Dictionary<string, string> _specialTokens;

    /// <summary>Parses <paramref name="source"/>; throws <see cref="TemplateException"/> for unsupported syntax.</summary>
    /// <param name="source">The Jinja template text (the decoded <c>chat_template</c> string).</param>
    /// <param name="specialTokens">Special tokens by name (<c>bos_token</c>, <c>eos_token</c>, …) put in the template context.</param>
    public ChatTemplate(string source, IReadOnlyDictionary<string, string>? specialTokens = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        Source = source;
        // Jinja2's keep_trailing_newline=False: a single trailing newline of the template is not output.
        var text = source.EndsWith("\r\n", StringComparison.Ordinal) ? source[..^2] : source.EndsWith('\n') ? source[..^1] : source;
        _nodes = JinjaParser.Parse(text);
        _specialTokens = specialTokens?.ToDictionary(p => p.Key, p => p.Value) ?? [];
    }

    /// <summary>The template text.</summary>
    public string Source { get; }

    /// <summary>The <c>bos_token</c> the template sees, or null.</summary>
    public string? BosToken => _specialTokens.GetValueOrDefault("bos_token");

    /// <summary>The <c>eos_token</c> the template sees, or null.</summary>
    public string? EosToken => _specialTokens.GetValueOrDefault("eos_token");

    /// <summary>Clock for <c>strftime_now</c> (Llama 3.2 prints today's date); replace it to render deterministically.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The chat template of a checkpoint folder, or null when it has none: <c>chat_template.jinja</c> if present,
    /// else <c>chat_template</c> from <c>tokenizer_config.json</c> (a string, or a list of named templates of which
    /// <paramref name="name"/>, by default <c>"default"</c>, is taken). Special tokens come from the same config.
    /// </summary>
    public static ChatTemplate? FromFolder(string dir, string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dir);
        if (Gguf.GgufModelLoader.IsGgufFile(dir)) return FromGguf(dir);
        var configPath = Path.Combine(dir, "tokenizer_config.json");
        var config = ReadJson(configPath);
        // special_tokens_map.json (older checkpoints) first; tokenizer_config.json wins where both name a token.
        var specials = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in new[] { ReadJson(Path.Combine(dir, "special_tokens_map.json")), config })
            foreach (var key in SpecialTokenNames)
            {
                var token = source?[key] switch
                {
                    JsonValue v when v.TryGetValue<string>(out var s) => s,
                    JsonObject o => o["content"]?.GetValue<string>(),
                    _ => null,
                };
                if (token is not null) specials[key] = token;
            }
        var jinjaPath = Path.Combine(dir, "chat_template.jinja");
        if (File.Exists(jinjaPath)) return Create(File.ReadAllText(jinjaPath), specials, jinjaPath);
        var wanted = name ?? "default";
        switch (config?["chat_template"])
        {
            case null:
                return null;
            case JsonValue v when v.TryGetValue<string>(out var source):
                return Create(source, specials, configPath);
            case JsonArray list:
                var named = list.OfType<JsonObject>().FirstOrDefault(t => t["name"]?.GetValue<string>() == wanted)
                    ?? throw new TemplateException($"{configPath}: no chat template named '{wanted}' (found: {string.Join(", ", list.OfType<JsonObject>().Select(t => t["name"]?.ToString()))})");
                return Create(named["template"]?.GetValue<string>() ?? throw new TemplateException($"{configPath}: template '{wanted}' has no 'template' text"), specials, configPath);
            default:
                throw new TemplateException($"{configPath}: 'chat_template' must be a string or a list of {{name, template}} objects");
        }
    }

    /// <summary>A GGUF file's <c>tokenizer.chat_template</c>, with its BOS/EOS token strings, or null.</summary>
    static ChatTemplate? FromGguf(string path)
    {
        using var file = Gguf.GgufFile.Open(path);
        if (file.Get<string>("tokenizer.chat_template") is not { } source) return null;
        var tokens = file.Get<string[]>("tokenizer.ggml.tokens") ?? [];
        var specials = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, key) in new[] { ("bos_token", "bos_token_id"), ("eos_token", "eos_token_id"), ("unk_token", "unknown_token_id"), ("pad_token", "padding_token_id") })
            if (file.GetInteger("tokenizer.ggml." + key) is { } id && id >= 0 && id < tokens.Length) specials[name] = tokens[id];
        return Create(source, specials, path);
    }

    static JsonObject? ReadJson(string path)
    {
        if (!File.Exists(path)) return null;
        try { return JsonNode.Parse(File.ReadAllText(path)) as JsonObject; }
        catch (JsonException e) { throw new TemplateException($"{path}: malformed JSON ({e.Message})", e); }
    }

    static ChatTemplate Create(string source, Dictionary<string, string> specials, string path)
    {
        try { return new ChatTemplate(source, specials); }
        catch (TemplateException e) { throw new TemplateException($"{path}: {e.Message}", e); }
    }

    /// <summary>
    /// Renders the conversation as <c>tokenizer.apply_chat_template(messages, tokenize=False,
    /// add_generation_prompt=…)</c> does. <paramref name="extraContext"/> adds or overrides template variables
    /// (e.g. <c>tools</c>, <c>date_string</c>); .NET lists, dictionaries and JSON values are converted.
    /// </summary>
    public string Render(IEnumerable<ChatMessage> messages, bool addGenerationPrompt, IReadOnlyDictionary<string, object?>? extraContext = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var context = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in _specialTokens) context[key] = value;
        context["messages"] = messages.Select(m => (object?)JinjaConvert.Message(m)).ToList();
        context["add_generation_prompt"] = addGenerationPrompt;
        // transformers always passes these two, as None when absent (so `tools is defined` is true).
        context["tools"] = null;
        context["documents"] = null;
        if (extraContext is not null)
            foreach (var (key, value) in extraContext) context[key] = JinjaConvert.ToValue(value);
        return new JinjaInterpreter(Source, new JinjaBuiltins(TimeProvider)).Render(_nodes, context);
    }
}
