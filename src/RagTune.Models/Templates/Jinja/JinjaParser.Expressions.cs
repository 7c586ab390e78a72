namespace RagTune.Models.Templates.Jinja;

/// <summary>Expression parsing, with Jinja2's precedence (see <c>jinja2/parser.py</c>).</summary>
internal sealed partial class JinjaParser
{
    /// <summary>An expression, or a tuple when several are separated by commas (as in <c>{{ a, b }}</c>).</summary>
    Expr ParseTuple()
    {
        var first = ParseExpression();
        if (!Peek.Is(",")) return first;
        var items = new List<Expr> { first };
        while (Accept(",") && Peek.Kind != TokenKind.End) items.Add(ParseExpression());
        return new ListExpr(items, first.Offset);
    }

    Expr ParseExpression()
    {
        var expr = ParseOr();
        while (Peek.Is("if"))
        {
            var offset = Next().Offset;
            var condition = ParseOr();
            Expr? otherwise = Accept("else") ? ParseExpression() : null;
            expr = new CondExpr(condition, expr, otherwise, offset);
        }
        return expr;
    }

    Expr ParseOr()
    {
        var left = ParseAnd();
        while (Peek.Is("or")) { var o = Next().Offset; left = new BinaryExpr("or", left, ParseAnd(), o); }
        return left;
    }

    Expr ParseAnd()
    {
        var left = ParseNot();
        while (Peek.Is("and")) { var o = Next().Offset; left = new BinaryExpr("and", left, ParseNot(), o); }
        return left;
    }

    Expr ParseNot()
    {
        if (Peek.Is("not")) { var o = Next().Offset; return new UnaryExpr("not", ParseNot(), o); }
        return ParseCompare();
    }

    Expr ParseCompare()
    {
        var first = ParseMath1();
        var rest = new List<(string, Expr)>();
        while (true)
        {
            var t = Peek;
            if (t.Kind == TokenKind.Operator && t.Text is "==" or "!=" or "<" or "<=" or ">" or ">=") { _pos++; rest.Add((t.Text, ParseMath1())); }
            else if (t.Is("in")) { _pos++; rest.Add(("in", ParseMath1())); }
            else if (t.Is("not") && PeekAt(1).Is("in")) { _pos += 2; rest.Add(("not in", ParseMath1())); }
            else break;
        }
        return rest.Count == 0 ? first : new CompareExpr(first, rest, first.Offset);
    }

    Expr ParseMath1()
    {
        var left = ParseConcat();
        while (Peek.Kind == TokenKind.Operator && Peek.Text is "+" or "-")
        {
            var t = Next();
            left = new BinaryExpr(t.Text, left, ParseConcat(), t.Offset);
        }
        return left;
    }

    Expr ParseConcat()
    {
        var left = ParseMath2();
        while (Peek.Is("~")) { var o = Next().Offset; left = new BinaryExpr("~", left, ParseMath2(), o); }
        return left;
    }

    Expr ParseMath2()
    {
        var left = ParsePow();
        while (Peek.Kind == TokenKind.Operator && Peek.Text is "*" or "/" or "//" or "%")
        {
            var t = Next();
            left = new BinaryExpr(t.Text, left, ParsePow(), t.Offset);
        }
        return left;
    }

    Expr ParsePow()
    {
        var left = ParseUnary(true);
        while (Peek.Is("**")) { var o = Next().Offset; left = new BinaryExpr("**", left, ParseUnary(true), o); }
        return left;
    }

    Expr ParseUnary(bool withFilter)
    {
        Expr node;
        if (Peek.Kind == TokenKind.Operator && Peek.Text is "-" or "+")
        {
            var t = Next();
            node = new UnaryExpr(t.Text, ParseUnary(false), t.Offset);
        }
        else node = ParsePrimary();
        node = ParsePostfix(node);
        return withFilter ? ParseFilterExpr(node) : node;
    }

    Expr ParsePrimary()
    {
        var t = Next();
        switch (t.Kind)
        {
            case TokenKind.String:
                var text = (string)t.Value!;
                // Adjacent string literals concatenate, as in Python.
                while (Peek.Kind == TokenKind.String) text += (string)Next().Value!;
                return new ConstExpr(text, t.Offset);
            case TokenKind.Integer:
            case TokenKind.Float:
                return new ConstExpr(t.Value, t.Offset);
            case TokenKind.Name:
                return t.Text switch
                {
                    "true" or "True" => new ConstExpr(true, t.Offset),
                    "false" or "False" => new ConstExpr(false, t.Offset),
                    "none" or "None" => new ConstExpr(null, t.Offset),
                    _ => new NameExpr(t.Text, t.Offset),
                };
        }
        if (t.Is("("))
        {
            if (Accept(")")) return new ListExpr([], t.Offset);
            var first = ParseExpression();
            if (Accept(")")) return first;
            var items = new List<Expr> { first };
            while (Accept(",") && !Peek.Is(")")) items.Add(ParseExpression());
            Expect(")");
            return new ListExpr(items, t.Offset);
        }
        if (t.Is("["))
        {
            var items = new List<Expr>();
            while (!Peek.Is("]"))
            {
                items.Add(ParseExpression());
                if (!Accept(",")) break;
            }
            Expect("]");
            return new ListExpr(items, t.Offset);
        }
        if (t.Is("{"))
        {
            var items = new List<(Expr, Expr)>();
            while (!Peek.Is("}"))
            {
                var key = ParseExpression();
                Expect(":");
                items.Add((key, ParseExpression()));
                if (!Accept(",")) break;
            }
            Expect("}");
            return new DictExpr(items, t.Offset);
        }
        throw Error(t.Offset, t.Kind == TokenKind.End ? "unexpected end of expression" : $"unexpected '{t.Text}'");
    }

    Expr ParsePostfix(Expr node)
    {
        while (true)
        {
            if (Peek.Is("."))
            {
                var dot = Next();
                var name = Next();
                node = name.Kind is TokenKind.Name
                    ? new AttrExpr(node, name.Text, dot.Offset)
                    : name.Kind is TokenKind.Integer ? new IndexExpr(node, new ConstExpr(name.Value, name.Offset), dot.Offset)
                    : throw Error(name.Offset, $"expected an attribute name after '.' but found '{name.Text}'");
            }
            else if (Peek.Is("[")) node = ParseSubscript(node);
            else if (Peek.Is("(")) node = ParseCall(node);
            else return node;
        }
    }

    Expr ParseSubscript(Expr target)
    {
        var open = Next();
        Expr? start = null, stop = null, step = null;
        if (!Peek.Is(":")) start = ParseExpression();
        if (Accept(":"))
        {
            if (!Peek.Is("]") && !Peek.Is(":")) stop = ParseExpression();
            if (Accept(":") && !Peek.Is("]")) step = ParseExpression();
            Expect("]");
            return new SliceExpr(target, start, stop, step, open.Offset);
        }
        Expect("]");
        return new IndexExpr(target, start!, open.Offset);
    }

    (List<Expr>, List<(string, Expr)>) ParseArgs()
    {
        var args = new List<Expr>();
        var kwargs = new List<(string, Expr)>();
        Expect("(");
        while (!Peek.Is(")"))
        {
            if (Peek.Kind == TokenKind.Name && PeekAt(1).Is("="))
            {
                var name = Next().Text;
                _pos++;
                kwargs.Add((name, ParseExpression()));
            }
            else args.Add(ParseExpression());
            if (!Accept(",")) break;
        }
        Expect(")");
        return (args, kwargs);
    }

    Expr ParseCall(Expr callee)
    {
        var offset = Peek.Offset;
        var (args, kwargs) = ParseArgs();
        return new CallExpr(callee, args, kwargs, offset);
    }

    Expr ParseFilterExpr(Expr node)
    {
        while (true)
        {
            if (Peek.Is("|"))
            {
                var bar = Next();
                var name = ExpectName();
                var (args, kwargs) = Peek.Is("(") ? ParseArgs() : ([], []);
                node = new FilterExpr(node, name, args, kwargs, bar.Offset);
            }
            else if (Peek.Is("is"))
            {
                var offset = Next().Offset;
                var negated = Accept("not");
                var name = ExpectName();
                var args = new List<Expr>();
                if (Peek.Is("(")) args = ParseArgs().Item1;
                else if (StartsTestArgument(Peek)) args.Add(ParsePostfix(ParsePrimary()));
                node = new TestExpr(node, name, args, negated, offset);
            }
            else if (Peek.Is("(")) node = ParseCall(node);
            else return node;
        }
    }

    // Jinja2 Parser.parse_test: a test takes one bare argument when the next token can start an expression.
    static bool StartsTestArgument(JinjaToken t) =>
        t.Kind is TokenKind.String or TokenKind.Integer or TokenKind.Float
        || (t.Kind == TokenKind.Name && t.Text is not ("else" or "or" or "and" or "if" or "not" or "in" or "is"))
        || t.Is("[") || t.Is("{");
}
