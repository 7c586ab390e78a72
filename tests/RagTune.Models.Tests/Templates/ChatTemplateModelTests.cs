using Microsoft.Extensions.AI;
using RagTune.Models.Templates;
using RagTune.Tests;

namespace RagTune.Models.Tests.Templates;

/// <summary>
/// The chat templates of real checkpoints (tests/data/templates) render a system + user + assistant + user
/// conversation exactly as transformers' apply_chat_template does; expected strings written from the templates.
/// </summary>
public class ChatTemplateModelTests
{
    static readonly ChatMessage[] Conversation =
    [
        new(ChatRole.System, "You are a helpful assistant."),
        new(ChatRole.User, "What is RAG?"),
        new(ChatRole.Assistant, "Retrieval-augmented generation."),
        new(ChatRole.User, "Give an example."),
    ];

    const string Llama3Turns =
        "<|start_header_id|>user<|end_header_id|>\n\nWhat is RAG?<|eot_id|>" +
        "<|start_header_id|>assistant<|end_header_id|>\n\nRetrieval-augmented generation.<|eot_id|>" +
        "<|start_header_id|>user<|end_header_id|>\n\nGive an example.<|eot_id|>";

    const string Llama3Prompt = "<|start_header_id|>assistant<|end_header_id|>\n\n";

    const string ChatMLTurns =
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n" +
        "<|im_start|>user\nWhat is RAG?<|im_end|>\n" +
        "<|im_start|>assistant\nRetrieval-augmented generation.<|im_end|>\n" +
        "<|im_start|>user\nGive an example.<|im_end|>\n";

    const string ChatMLPrompt = "<|im_start|>assistant\n";

    static ChatTemplate Load(string name) =>
        ChatTemplate.FromFolder(Path.Combine(TestPaths.Data, "templates", name)) ?? throw new InvalidOperationException($"{name} has no template");

    sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Llama31Instruct(bool addGenerationPrompt)
    {
        var expected = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n" +
            "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\nYou are a helpful assistant.<|eot_id|>" +
            Llama3Turns + (addGenerationPrompt ? Llama3Prompt : "");
        Assert.Equal(expected, Load("llama-3.1-instruct").Render(Conversation, addGenerationPrompt));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Llama32Instruct_DateFromStrftimeNow(bool addGenerationPrompt)
    {
        var template = Load("llama-3.2-instruct") is var t
            ? new ChatTemplate(t.Source, new Dictionary<string, string> { ["bos_token"] = t.BosToken!, ["eos_token"] = t.EosToken! })
            { TimeProvider = new FixedClock(new DateTimeOffset(2026, 3, 5, 12, 0, 0, TimeSpan.Zero)) }
            : null!;
        var expected = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n" +
            "Cutting Knowledge Date: December 2023\nToday Date: 05 Mar 2026\n\nYou are a helpful assistant.<|eot_id|>" +
            Llama3Turns + (addGenerationPrompt ? Llama3Prompt : "");
        Assert.Equal(expected, template.Render(Conversation, addGenerationPrompt));
    }

    [Fact]
    public void Llama32Instruct_DateStringFromExtraContext()
    {
        var rendered = Load("llama-3.2-instruct").Render(Conversation, true, new Dictionary<string, object?> { ["date_string"] = "01 Jan 2025" });
        Assert.Contains("Today Date: 01 Jan 2025\n\n", rendered);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Qwen25Instruct(bool addGenerationPrompt) =>
        Assert.Equal(ChatMLTurns + (addGenerationPrompt ? ChatMLPrompt : ""), Load("qwen2.5-instruct").Render(Conversation, addGenerationPrompt));

    [Fact]
    public void Qwen25Instruct_DefaultSystemPrompt()
    {
        var rendered = Load("qwen2.5-instruct").Render([new ChatMessage(ChatRole.User, "Hi")], true);
        Assert.Equal("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n" +
            "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", rendered);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SmolLM2Instruct(bool addGenerationPrompt) =>
        Assert.Equal(ChatMLTurns + (addGenerationPrompt ? ChatMLPrompt : ""), Load("smollm2-instruct").Render(Conversation, addGenerationPrompt));

    [Fact]
    public void SmolLM2Instruct_DefaultSystemPrompt() =>
        Assert.Equal("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n" +
            "<|im_start|>user\nHi<|im_end|>\n", Load("smollm2-instruct").Render([new ChatMessage(ChatRole.User, "Hi")], false));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MistralInstructV03_FoldsSystemIntoLastUserTurn(bool addGenerationPrompt)
    {
        // The template has no generation prompt: both renderings are the same.
        const string expected = "<s>[INST] What is RAG?[/INST] Retrieval-augmented generation.</s>" +
            "[INST] You are a helpful assistant.\n\nGive an example.[/INST]";
        Assert.Equal(expected, Load("mistral-instruct-v0.3").Render(Conversation, addGenerationPrompt));
    }

    [Fact]
    public void MistralInstructV03_RejectsNonAlternatingRoles()
    {
        var e = Assert.Throws<TemplateException>(() => Load("mistral-instruct-v0.3").Render(
            [new ChatMessage(ChatRole.User, "a"), new ChatMessage(ChatRole.User, "b")], true));
        Assert.Contains("conversation roles must alternate", e.Message);
    }

    [Fact]
    public void MistralInstructV01_RaisesForSystemMessages()
    {
        var e = Assert.Throws<TemplateException>(() => Load("mistral-instruct-v0.1").Render(Conversation, true));
        Assert.Contains("Conversation roles must alternate user/assistant/user/assistant/...", e.Message);
        Assert.Equal("<s>[INST] Hi [/INST]", Load("mistral-instruct-v0.1").Render([new ChatMessage(ChatRole.User, "Hi")], true));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ChatML(bool addGenerationPrompt) =>
        Assert.Equal(ChatMLTurns + (addGenerationPrompt ? ChatMLPrompt : ""), Load("chatml").Render(Conversation, addGenerationPrompt));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Llama3Instruct(bool addGenerationPrompt)
    {
        var expected = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|>" +
            Llama3Turns + (addGenerationPrompt ? Llama3Prompt : "");
        Assert.Equal(expected, Load("llama3").Render(Conversation, addGenerationPrompt));
    }

    [Fact]
    public void NamedTemplates_DefaultIsChosen_OthersByName()
    {
        var dir = Path.Combine(TestPaths.Data, "templates", "named-templates");
        Assert.Equal(ChatMLTurns, ChatTemplate.FromFolder(dir)!.Render(Conversation, false));
        Assert.Equal("TOOLS 4", ChatTemplate.FromFolder(dir, "tool_use")!.Render(Conversation, false));
        Assert.Throws<TemplateException>(() => ChatTemplate.FromFolder(dir, "missing"));
    }

    [Fact]
    public void SpecialTokens_FromSpecialTokensMapWhenTheConfigLacksThem()
    {
        var dir = TestPaths.NewTempDir("template-map");
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), "{\"chat_template\": \"{{ bos_token }}|{{ eos_token }}\", \"eos_token\": \"</e>\"}");
        File.WriteAllText(Path.Combine(dir, "special_tokens_map.json"), "{\"bos_token\": {\"content\": \"<b>\"}, \"eos_token\": \"<old>\"}");
        Assert.Equal("<b>|</e>", ChatTemplate.FromFolder(dir)!.Render([], false));
    }

    [Fact]
    public void MalformedConfig_NamesTheFile()
    {
        var dir = TestPaths.NewTempDir("template-bad");
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), "{\"chat_template\": ");
        Assert.Contains("tokenizer_config.json", Assert.Throws<TemplateException>(() => ChatTemplate.FromFolder(dir)).Message);
    }

    [Fact]
    public void UnsupportedSyntaxInAFolderTemplate_NamesFileConstructAndPosition()
    {
        var dir = TestPaths.NewTempDir("template-macro");
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), "{\"chat_template\": \"ok\\n{% macro f() %}{% endmacro %}\"}");
        var message = Assert.Throws<TemplateException>(() => ChatTemplate.FromFolder(dir)).Message;
        Assert.Contains("tokenizer_config.json", message);
        Assert.Contains("'{% macro %}' at line 2, column 4", message);
    }

    [Fact]
    public void FolderWithoutTemplate_GivesNull()
    {
        Assert.Null(ChatTemplate.FromFolder(TestPaths.Tokenizer("gpt2")));
        Assert.Null(ChatTemplate.FromFolder(TestPaths.NewTempDir("no-template")));
    }

    [Fact]
    public void Qwen25Instruct_ToolsAndToolCalls()
    {
        var tool = AIFunctionFactory.Create((string city) => "sunny", "get_weather", "Weather in a city");
        ChatMessage[] messages =
        [
            new(ChatRole.User, "Weather in Paris?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call1", "sunny")]),
        ];
        var rendered = Load("qwen2.5-instruct").Render(messages, true, new Dictionary<string, object?> { ["tools"] = new[] { tool } });
        Assert.StartsWith("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.\n\n# Tools\n\n", rendered);
        Assert.Contains("<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Weather in a city\"", rendered);
        Assert.Contains("<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call><|im_end|>\n", rendered);
        Assert.EndsWith("<|im_start|>user\n<tool_response>\nsunny\n</tool_response><|im_end|>\n<|im_start|>assistant\n", rendered);
    }
}
