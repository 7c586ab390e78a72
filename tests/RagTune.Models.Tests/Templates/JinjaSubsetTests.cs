using Microsoft.Extensions.AI;
using RagTune.Models.Templates;

namespace RagTune.Models.Tests.Templates;

/// <summary>The Jinja2 subset, one construct at a time; expected output is what Jinja2 prints with trim/lstrip_blocks.</summary>
public class JinjaSubsetTests
{
    static string Render(string template, Dictionary<string, object?>? context = null, params ChatMessage[] messages) =>
        new ChatTemplate(template, new Dictionary<string, string> { ["bos_token"] = "<s>", ["eos_token"] = "</s>" })
            .Render(messages, addGenerationPrompt: true, context);

    [Theory]
    [InlineData("{% for x in [1, 2, 3] %}{{ loop.index0 }}{{ loop.first }}{{ loop.last }};{% endfor %}", "0TrueFalse;1FalseFalse;2FalseTrue;")]
    [InlineData("{% for x in [1, 2, 3, 4] if x % 2 == 0 %}{{ loop.index }}:{{ x }}{% endfor %}", "1:22:4")]
    [InlineData("{% for x in [] %}x{% else %}empty{% endfor %}", "empty")]
    [InlineData("{% for n in [1, 2, 3, 4] %}{% if n == 2 %}{% continue %}{% endif %}{% if n == 4 %}{% break %}{% endif %}{{ n }}{% endfor %}", "13")]
    [InlineData("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}", "a=1;b=2;")]
    [InlineData("{% if 1 > 2 %}a{% elif 2 > 1 %}b{% else %}c{% endif %}", "b")]
    [InlineData("{% set ns = namespace(n=0) %}{% for x in [1, 2] %}{% set ns.n = ns.n + x %}{% endfor %}{{ ns.n }}", "3")]
    [InlineData("{% set a = 1 %}{% for x in [1] %}{% set a = 2 %}{% endfor %}{{ a }}", "1")]
    [InlineData("{{ '  x  ' | trim }}|{{ [1, 2] | length }}|{{ 'Ab' | upper }}{{ 'Ab' | lower }}|{{ missing | default('d') }}", "x|2|ABab|d")]
    [InlineData("{{ {'a': [1, 'x', none, true]} | tojson }}", "{\"a\": [1, \"x\", null, true]}")]
    [InlineData("{{ {'a': {'b': 1}} | tojson(indent=2) }}", "{\n  \"a\": {\n    \"b\": 1\n  }\n}")]
    [InlineData("{{ 'a' + ' b ' | trim + 'c' }}{{ 'n=' ~ 3 ~ true }}", "abcn=3True")]
    [InlineData("{{ [1, 2, 3][1:] }}{{ [1, 2, 3][-1] }}{{ 'hello'[1:3] }}{{ [1, 2, 3][::-1] }}{{ 'abc'[:-1] }}", "[2, 3]3el[3, 2, 1]ab")]
    [InlineData("{{ 'b' in 'abc' }}{{ 2 in [1, 2] }}{{ 'k' not in {'k': 1} }}{{ not true }}{{ true and false or true }}", "TrueTrueFalseFalseTrue")]
    [InlineData("{{ x is defined }}{{ y is not defined }}{{ none is none }}{{ 's' is string }}{{ {} is mapping }}", "TrueTrueTrueTrueTrue")]
    [InlineData("{{ 'yes' if 1 else 'no' }}{{ 'a' if false }}|{{ 7 // 2 }}{{ 7 % 3 }}{{ 7 / 2 }}{{ 2 ** 3 }}{{ -3 + 1 }}", "yes|313.58-2")]
    [InlineData("{{ ' x '.strip() }}{{ 'abc'.startswith('ab') }}{{ 'a,b'.split(',') }}{{ 'r</think>a'.split('</think>')[-1] }}", "xTrue['a', 'b']a")]
    [InlineData("{{ [{'r': 'u'}, {'r': 'a'}, {'r': 'u'}] | selectattr('r', 'equalto', 'u') | list | length }}", "2")]
    [InlineData("{{ ['a', 'b', 'code'] | reject('equalto', 'code') | join(', ') }}", "a, b")]
    [InlineData("{{ none }}{{ [1, 'a'] }}{{ 1.0 }}{{ missing }}", "None[1, 'a']1.0")]
    [InlineData("{{ \"it's\" }}{{ 'a\\nb' }}", "it'sa\nb")]
    [InlineData("{% set s %}in{{ 1 }}{% endset %}[{{ s }}]", "[in1]")]
    [InlineData("{% generation %}kept{% endgeneration %}", "kept")]
    [InlineData("{{ range(3) | list }}{{ bos_token }}{{ eos_token }}", "[0, 1, 2]<s></s>")]
    public void Expressions_AndStatements(string template, string expected) =>
        Assert.Equal(expected, Render(template, new Dictionary<string, object?> { ["x"] = 1 }));

    [Theory]
    // trim_blocks: the newline after a block tag goes; lstrip_blocks: indentation before a block tag goes.
    [InlineData("{% if true %}\nx\n{% endif %}\ny", "x\ny")]
    [InlineData("a\n    {% if true %}\n    b\n    {% endif %}\nc", "a\n    b\nc")]
    [InlineData("a   {{- 'b' -}}   c  {%- if true -%}  d  {%- endif %}", "abcd")]
    [InlineData("{{ 'a' }}\n{{ 'b' }}\n", "a\nb")]
    [InlineData("a{# comment #}\nb", "ab")]
    [InlineData("  {%+ if true %}x{% endif %}", "  x")]
    [InlineData("{% if true +%}\nx{% endif %}", "\nx")]
    [InlineData("{{ tools is defined }}{{ tools is none }}{{ documents is none }}", "TrueTrueTrue")]
    public void WhitespaceControl(string template, string expected) => Assert.Equal(expected, Render(template));

    [Fact]
    public void MessagesAreDictsWithRoleAndContent()
    {
        var rendered = Render("{% for m in messages %}{{ m.role }}:{{ m['content'] }};{% endfor %}{{ add_generation_prompt }}", null,
            new ChatMessage(ChatRole.System, "s"), new ChatMessage(ChatRole.User, "u"));
        Assert.Equal("system:s;user:u;True", rendered);
    }

    [Theory]
    [InlineData("{% macro m() %}{% endmacro %}", "'{% macro %}'", "line 1, column 4")]
    [InlineData("a\n{{ x | nosuchfilter }}", "unsupported filter 'nosuchfilter'", "line 2")]
    [InlineData("{% if true %}never closed", "missing '{% endif %}'", "line 1")]
    [InlineData("{{ 'a' + 1 }}", "unsupported operand types for +: string and int", "line 1, column 8")]
    [InlineData("{{ x", "missing '}}'", "line 1")]
    [InlineData("{% set d = {} %}{% set d.a = 1 %}", "only namespace() objects", "line 1, column 17")]
    public void Errors_NameTheConstructAndPosition(string template, string construct, string position)
    {
        var e = Assert.Throws<TemplateException>(() => Render(template));
        Assert.Contains(construct, e.Message);
        Assert.Contains(position, e.Message);
    }

    [Fact]
    public void ReasoningStyleTemplate_ReverseLoopNamespaceAndStringMethods()
    {
        // The constructs Qwen3-style templates use to find the last user query and strip <think> blocks.
        const string template = """
            {%- set ns = namespace(last_query_index=messages|length - 1) %}
            {%- for message in messages[::-1] %}
                {%- set index = (messages|length - 1) - loop.index0 %}
                {%- if message.role == "user" and message.content is string %}
                    {%- set ns.last_query_index = [ns.last_query_index, index] | min %}
                    {%- break %}
                {%- endif %}
            {%- endfor %}
            {%- for message in messages %}
                {%- set content = message.content %}
                {%- if message.role == "assistant" and '</think>' in content %}
                    {%- set content = content.split('</think>')[-1].lstrip('\n') %}
                {%- endif %}
                {{- '<|im_start|>' + message.role + '\n' + content + '<|im_end|>\n' }}
            {%- endfor %}
            {{- ns.last_query_index }}
            """;
        var rendered = Render(template, null,
            new ChatMessage(ChatRole.User, "q1"), new ChatMessage(ChatRole.Assistant, "<think>\nhmm\n</think>\n\na1"),
            new ChatMessage(ChatRole.User, "q2"), new ChatMessage(ChatRole.Assistant, "a2"));
        Assert.Equal("<|im_start|>user\nq1<|im_end|>\n<|im_start|>assistant\na1<|im_end|>\n" +
            "<|im_start|>user\nq2<|im_end|>\n<|im_start|>assistant\na2<|im_end|>\n2", rendered);
    }

    [Fact]
    public void RaiseException_CarriesTheTemplateMessage()
    {
        var e = Assert.Throws<TemplateException>(() => Render("{{ raise_exception('bad roles') }}"));
        Assert.Contains("bad roles", e.Message);
    }
}
