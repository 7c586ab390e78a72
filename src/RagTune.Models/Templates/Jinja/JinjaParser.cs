namespace RagTune.Models.Templates.Jinja;

/// <summary>
/// Recursive-descent parser for the Jinja2 subset chat templates use, with Jinja2's precedence: conditional
/// expression &lt; or &lt; and &lt; not &lt; comparisons &lt; + - &lt; ~ &lt; * / // % &lt; ** &lt; unary, and filters
/// (<c>|</c>), tests (<c>is</c>) and calls binding tighter than all binary operators.
/// </summary>
internal sealed partial class JinjaParser
{
    readonly string _source;
    readonly List<TemplatePart> _parts;
    int _part;
    List<JinjaToken> _tokens = [];
    int _pos;

    JinjaParser(string source)
    {
        _source = source;
        _parts = JinjaLexer.Tokenize(source);
    }

    public static List<Node> Parse(string source)
    {
        var parser = new JinjaParser(source);
        var (body, end) = parser.ParseBody([]);
        if (end is not null) throw parser.Error(end.Value.Offset, $"unexpected '{{% {end.Value.Text} %}}'");
        return body;
    }

    TemplateException Error(int offset, string message) => JinjaLexer.Error(_source, offset, message);

    /// <summary>Parses nodes until a statement whose keyword is in <paramref name="terminators"/>; returns it (null at end of input).</summary>
    (List<Node> Body, JinjaToken? End) ParseBody(string[] terminators)
    {
        var body = new List<Node>();
        while (_part < _parts.Count)
        {
            var part = _parts[_part++];
            switch (part.Kind)
            {
                case PartKind.Text:
                    body.Add(new TextNode(part.Text, part.Offset));
                    break;
                case PartKind.Output:
                    Begin(part);
                    body.Add(new OutputNode(ParseTuple(), part.Offset));
                    ExpectEnd();
                    break;
                case PartKind.Statement:
                    Begin(part);
                    var keyword = Peek;
                    if (keyword.Kind != TokenKind.Name) throw Error(part.Offset, "expected a statement keyword");
                    if (terminators.Contains(keyword.Text)) { _pos++; return (body, keyword); }
                    body.Add(ParseStatement(keyword, part.Offset));
                    break;
            }
        }
        if (terminators.Length > 0) throw Error(_source.Length, $"missing '{{% {terminators[^1]} %}}'");
        return (body, null);
    }

    void Begin(TemplatePart part)
    {
        _tokens = part.Tokens;
        _pos = 0;
    }

    JinjaToken Peek => _pos < _tokens.Count ? _tokens[_pos] : new JinjaToken(TokenKind.End, "", null, _tokens.Count > 0 ? _tokens[^1].Offset : 0);

    JinjaToken PeekAt(int ahead) => _pos + ahead < _tokens.Count ? _tokens[_pos + ahead] : new JinjaToken(TokenKind.End, "", null, 0);

    JinjaToken Next() => _pos < _tokens.Count ? _tokens[_pos++] : throw Error(Peek.Offset, "unexpected end of tag");

    bool Accept(string op)
    {
        if (!Peek.Is(op)) return false;
        _pos++;
        return true;
    }

    void Expect(string op)
    {
        if (!Accept(op)) throw Error(Peek.Offset, $"expected '{op}' but found '{Peek.Text}'");
    }

    string ExpectName()
    {
        var t = Next();
        return t.Kind == TokenKind.Name ? t.Text : throw Error(t.Offset, $"expected a name but found '{t.Text}'");
    }

    void ExpectEnd()
    {
        if (Peek.Kind != TokenKind.End) throw Error(Peek.Offset, $"unexpected '{Peek.Text}'");
    }

    Node ParseStatement(JinjaToken keyword, int offset)
    {
        _pos++;
        switch (keyword.Text)
        {
            case "if":
            {
                var branches = new List<(Expr, List<Node>)>();
                var condition = ParseExpression();
                ExpectEnd();
                while (true)
                {
                    var (body, end) = ParseBody(["elif", "else", "endif"]);
                    branches.Add((condition, body));
                    if (end!.Value.Text == "elif") { condition = ParseExpression(); ExpectEnd(); continue; }
                    if (end.Value.Text == "else")
                    {
                        ExpectEnd();
                        var (elseBody, _) = ParseBody(["endif"]);
                        ExpectEnd();
                        return new IfNode(branches, elseBody, offset);
                    }
                    ExpectEnd();
                    return new IfNode(branches, null, offset);
                }
            }
            case "for":
            {
                var targets = new List<string> { ExpectName() };
                while (Accept(",")) targets.Add(ExpectName());
                if (!Accept("in")) throw Error(Peek.Offset, "expected 'in' in for loop");
                var iterable = ParseOr();
                Expr? filter = Accept("if") ? ParseOr() : null;
                if (Peek.Is("recursive")) throw Error(Peek.Offset, "unsupported construct 'recursive' loop");
                ExpectEnd();
                var (body, end) = ParseBody(["else", "endfor"]);
                List<Node>? elseBody = null;
                if (end!.Value.Text == "else") { ExpectEnd(); (elseBody, _) = ParseBody(["endfor"]); }
                ExpectEnd();
                return new ForNode(targets, iterable, filter, body, elseBody, offset);
            }
            case "set":
            {
                var name = ExpectName();
                string? attribute = Accept(".") ? ExpectName() : null;
                if (Peek.Kind == TokenKind.End && attribute is null)
                {
                    var (body, _) = ParseBody(["endset"]);
                    ExpectEnd();
                    return new SetBlockNode(name, body, offset);
                }
                if (Peek.Is(",")) throw Error(Peek.Offset, "unsupported construct 'set' with several targets");
                Expect("=");
                var value = ParseTuple();
                ExpectEnd();
                return new SetNode(name, attribute, value, offset);
            }
            case "break":
                ExpectEnd();
                return new BreakNode(offset);
            case "continue":
                ExpectEnd();
                return new ContinueNode(offset);
            case "generation":
            {
                ExpectEnd();
                var (body, _) = ParseBody(["endgeneration"]);
                ExpectEnd();
                return new BlockNode(body, offset);
            }
            default:
                throw Error(keyword.Offset, $"unsupported construct '{{% {keyword.Text} %}}'");
        }
    }
}
