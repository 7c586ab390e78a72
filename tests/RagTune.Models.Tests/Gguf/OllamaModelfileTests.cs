using Microsoft.Extensions.AI;
using RagTune.Models.Gguf;
using RagTune.Models.Templates;
using RagTune.Tests;

namespace RagTune.Models.Tests.Gguf;

/// <summary>The Ollama template cut from a chat template renders a turn exactly as the Jinja template does.</summary>
public sealed class OllamaModelfileTests
{
    [Theory]
    [InlineData("chatml", "<|im_end|>")]
    [InlineData("llama3", "<|eot_id|>")]
    [InlineData("qwen2.5-instruct", "<|im_end|>")]
    [InlineData("smollm2-instruct", "<|im_end|>")]
    [InlineData("mistral-instruct-v0.1", "</s>")]
    public void Derived_template_reproduces_the_chat_template(string fixture, string stop)
    {
        var template = ChatTemplate.FromFolder(Path.Combine(TestPaths.Data, "templates", fixture))!;
        var bos = template.BosToken;
        var turn = OllamaModelfile.Derive(template, bos);
        string Expected(params ChatMessage[] m)
        {
            var text = template.Render(m, addGenerationPrompt: true);
            return bos is { Length: > 0 } && text.StartsWith(bos, StringComparison.Ordinal) ? text[bos.Length..] : text;
        }
        Assert.Equal(Expected(new ChatMessage(ChatRole.User, "What is 2+2?")), OllamaModelfile.Apply(turn, null, "What is 2+2?"));
        if (turn.SystemStart is not null)
            Assert.Equal(Expected(new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "Hi")), OllamaModelfile.Apply(turn, "Be brief.", "Hi"));
        var modelfile = OllamaModelfile.Build("model.gguf", turn, OllamaModelfile.Stops(turn, template.EosToken));
        Assert.StartsWith("FROM ./model.gguf\nTEMPLATE \"\"\"", modelfile);
        Assert.Contains($"PARAMETER stop \"{stop}\"", modelfile);
        Assert.Contains("{{ .Prompt }}", modelfile);
    }
}
