using System.Text;

namespace RagTune.Models.Templates.Jinja;

/// <summary>Renders a parsed template against a context of variables; runtime errors name the template position.</summary>
internal sealed class JinjaInterpreter
{
    enum Flow { Normal, Break, Continue }

    sealed class Scope(Scope? parent)
    {
        public Scope? Parent { get; } = parent;
        public Dictionary<string, object?> Vars { get; } = new(StringComparer.Ordinal);

        public bool TryGet(string name, out object? value)
        {
            for (var s = this; s is not null; s = s.Parent)
                if (s.Vars.TryGetValue(name, out value)) return true;
            value = null;
            return false;
        }
    }

    readonly string _source;
    readonly JinjaBuiltins _builtins;

    public JinjaInterpreter(string source, JinjaBuiltins builtins)
    {
        _source = source;
        _builtins = builtins;
    }

    public string Render(List<Node> nodes, IReadOnlyDictionary<string, object?> context)
    {
        var root = new Scope(null);
        foreach (var (k, v) in context) root.Vars[k] = v;
        var sb = new StringBuilder();
        Execute(nodes, root, sb);
        return sb.ToString();
    }

    TemplateException Error(int offset, string message) => JinjaLexer.Error(_source, offset, message);

    Flow Execute(List<Node> nodes, Scope scope, StringBuilder output)
    {
        foreach (var node in nodes)
        {
            var flow = ExecuteNode(node, scope, output);
            if (flow != Flow.Normal) return flow;
        }
        return Flow.Normal;
    }

    Flow ExecuteNode(Node node, Scope scope, StringBuilder output)
    {
        switch (node)
        {
            case TextNode t:
                output.Append(t.Text);
                return Flow.Normal;
            case OutputNode o:
                output.Append(JinjaValues.ToStr(Eval(o.Value, scope)));
                return Flow.Normal;
            case IfNode i:
                foreach (var (condition, body) in i.Branches)
                    if (JinjaValues.IsTruthy(Eval(condition, scope))) return Execute(body, scope, output);
                return i.Else is null ? Flow.Normal : Execute(i.Else, scope, output);
            case ForNode f:
                ExecuteFor(f, scope, output);
                return Flow.Normal;
            case SetNode s:
                var value = Eval(s.Value, scope);
                if (s.Attribute is null) scope.Vars[s.Name] = value;
                else if (scope.TryGet(s.Name, out var target) && target is JinjaNamespace ns) ns.Values[s.Attribute] = value;
                else throw Error(s.Offset, $"cannot set attribute '{s.Attribute}' of '{s.Name}': only namespace() objects can be assigned to");
                return Flow.Normal;
            case SetBlockNode sb:
                var captured = new StringBuilder();
                Execute(sb.Body, scope, captured);
                scope.Vars[sb.Name] = captured.ToString();
                return Flow.Normal;
            case BlockNode b:
                return Execute(b.Body, scope, output);
            case BreakNode:
                return Flow.Break;
            case ContinueNode:
                return Flow.Continue;
            default:
                throw Error(node.Offset, $"unsupported node {node.GetType().Name}");
        }
    }

    void ExecuteFor(ForNode f, Scope scope, StringBuilder output)
    {
        var source = Eval(f.Iterable, scope);
        List<object?> items;
        try { items = JinjaValues.Iterate(source); }
        catch (InvalidOperationException e) { throw Error(f.Iterable.Offset, e.Message); }
        var loopScope = new Scope(scope);
        if (f.Filter is not null)
            items = items.Where(item => { Bind(f, loopScope, item); return JinjaValues.IsTruthy(Eval(f.Filter, loopScope)); }).ToList();
        if (items.Count == 0)
        {
            if (f.Else is not null) Execute(f.Else, scope, output);
            return;
        }
        for (var i = 0; i < items.Count; i++)
        {
            Bind(f, loopScope, items[i]);
            loopScope.Vars["loop"] = LoopInfo(items, i);
            if (Execute(f.Body, loopScope, output) == Flow.Break) break;
        }
    }

    void Bind(ForNode f, Scope scope, object? item)
    {
        if (f.Targets.Count == 1) { scope.Vars[f.Targets[0]] = item; return; }
        var parts = item as List<object?> ?? throw Error(f.Offset, $"cannot unpack {JinjaValues.TypeName(item)} into {f.Targets.Count} loop variables");
        if (parts.Count != f.Targets.Count) throw Error(f.Offset, $"cannot unpack {parts.Count} values into {f.Targets.Count} loop variables");
        for (var t = 0; t < parts.Count; t++) scope.Vars[f.Targets[t]] = parts[t];
    }

    static OrderedDictionary<string, object?> LoopInfo(List<object?> items, int i) => new(StringComparer.Ordinal)
    {
        ["index"] = (long)(i + 1),
        ["index0"] = (long)i,
        ["revindex"] = (long)(items.Count - i),
        ["revindex0"] = (long)(items.Count - i - 1),
        ["first"] = i == 0,
        ["last"] = i == items.Count - 1,
        ["length"] = (long)items.Count,
        ["previtem"] = i > 0 ? items[i - 1] : Undefined.Instance,
        ["nextitem"] = i + 1 < items.Count ? items[i + 1] : Undefined.Instance,
        ["cycle"] = new JinjaFunction("cycle", (args, _) => args.Count == 0 ? Undefined.Instance : args[i % args.Count]),
    };

    object? Eval(Expr expr, Scope scope)
    {
        try
        {
            return EvalCore(expr, scope);
        }
        catch (InvalidOperationException e)
        {
            throw Error(expr.Offset, e.Message);
        }
    }

    object? EvalCore(Expr expr, Scope scope)
    {
        switch (expr)
        {
            case ConstExpr c:
                return c.Value;
            case NameExpr n:
                return scope.TryGet(n.Name, out var v) ? v : _builtins.Global(n.Name);
            case ListExpr l:
                return l.Items.Select(i => Eval(i, scope)).ToList();
            case DictExpr d:
                var dict = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (k, val) in d.Items) dict[JinjaValues.ToStr(Eval(k, scope))] = Eval(val, scope);
                return dict;
            case AttrExpr a:
                return JinjaBuiltins.GetAttribute(Eval(a.Target, scope), a.Name);
            case IndexExpr i:
                return JinjaBuiltins.GetItem(Eval(i.Target, scope), Eval(i.Index, scope));
            case SliceExpr s:
                return JinjaBuiltins.Slice(Eval(s.Target, scope), Opt(s.Start, scope), Opt(s.Stop, scope), Opt(s.Step, scope));
            case CallExpr call:
                return EvalCall(call, scope);
            case FilterExpr f:
                return _builtins.Filter(f.Name, Eval(f.Target, scope), f.Args.Select(x => Eval(x, scope)).ToList(), Kwargs(f.Kwargs, scope));
            case TestExpr t:
                return _builtins.Test(t.Name, Eval(t.Target, scope), t.Args.Select(x => Eval(x, scope)).ToList()) != t.Negated;
            case UnaryExpr u:
                var operand = Eval(u.Operand, scope);
                return u.Op switch
                {
                    "not" => !JinjaValues.IsTruthy(operand),
                    "-" => operand is long l ? -l : (object)-JinjaValues.ToDouble(operand),
                    _ => operand,
                };
            case BinaryExpr b:
                if (b.Op == "and") { var left = Eval(b.Left, scope); return JinjaValues.IsTruthy(left) ? Eval(b.Right, scope) : left; }
                if (b.Op == "or") { var left = Eval(b.Left, scope); return JinjaValues.IsTruthy(left) ? left : Eval(b.Right, scope); }
                return JinjaBuiltins.Binary(b.Op, Eval(b.Left, scope), Eval(b.Right, scope));
            case CompareExpr c:
                var current = Eval(c.First, scope);
                foreach (var (op, operandExpr) in c.Rest)
                {
                    var next = Eval(operandExpr, scope);
                    if (!JinjaBuiltins.Compare(op, current, next)) return false;
                    current = next;
                }
                return true;
            case CondExpr ce:
                return JinjaValues.IsTruthy(Eval(ce.Condition, scope)) ? Eval(ce.Then, scope) : ce.Else is null ? Undefined.Instance : Eval(ce.Else, scope);
            default:
                throw Error(expr.Offset, $"unsupported expression {expr.GetType().Name}");
        }
    }

    object? Opt(Expr? e, Scope scope) => e is null ? null : Eval(e, scope);

    Dictionary<string, object?> Kwargs(List<(string Name, Expr Value)> kwargs, Scope scope) =>
        kwargs.ToDictionary(k => k.Name, k => Eval(k.Value, scope), StringComparer.Ordinal);

    object? EvalCall(CallExpr call, Scope scope)
    {
        var args = call.Args.Select(a => Eval(a, scope)).ToList();
        var kwargs = Kwargs(call.Kwargs, scope);
        if (call.Callee is AttrExpr attr)
        {
            var target = Eval(attr.Target, scope);
            if (JinjaBuiltins.TryCallMethod(target, attr.Name, args, kwargs, out var result)) return result;
            return JinjaBuiltins.GetAttribute(target, attr.Name) is JinjaFunction member
                ? member.Invoke(args, kwargs)
                : throw Error(attr.Offset, $"{JinjaValues.TypeName(target)} has no method '{attr.Name}'");
        }
        var callee = Eval(call.Callee, scope);
        if (callee is JinjaFunction f) return f.Invoke(args, kwargs);
        var name = call.Callee is NameExpr n ? n.Name : JinjaValues.TypeName(callee);
        throw Error(call.Offset, callee is Undefined ? $"'{name}' is undefined and cannot be called" : $"'{name}' is not callable");
    }
}
