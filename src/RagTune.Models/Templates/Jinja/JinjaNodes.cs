namespace RagTune.Models.Templates.Jinja;

/// <summary>Template statements (the body of a template or block).</summary>
internal abstract record Node(int Offset);

internal sealed record TextNode(string Text, int Offset) : Node(Offset);

internal sealed record OutputNode(Expr Value, int Offset) : Node(Offset);

internal sealed record IfNode(List<(Expr Condition, List<Node> Body)> Branches, List<Node>? Else, int Offset) : Node(Offset);

internal sealed record ForNode(List<string> Targets, Expr Iterable, Expr? Filter, List<Node> Body, List<Node>? Else, int Offset) : Node(Offset);

/// <summary><c>{% set name = value %}</c>, or <c>{% set ns.attr = value %}</c> when <paramref name="Attribute"/> is set.</summary>
internal sealed record SetNode(string Name, string? Attribute, Expr Value, int Offset) : Node(Offset);

/// <summary><c>{% set name %}…{% endset %}</c>: the rendered body becomes the value.</summary>
internal sealed record SetBlockNode(string Name, List<Node> Body, int Offset) : Node(Offset);

internal sealed record BreakNode(int Offset) : Node(Offset);

internal sealed record ContinueNode(int Offset) : Node(Offset);

/// <summary><c>{% generation %}</c> marks assistant text for masking in transformers; rendering just runs the body.</summary>
internal sealed record BlockNode(List<Node> Body, int Offset) : Node(Offset);

/// <summary>Expressions.</summary>
internal abstract record Expr(int Offset);

internal sealed record ConstExpr(object? Value, int Offset) : Expr(Offset);

internal sealed record NameExpr(string Name, int Offset) : Expr(Offset);

internal sealed record ListExpr(List<Expr> Items, int Offset) : Expr(Offset);

internal sealed record DictExpr(List<(Expr Key, Expr Value)> Items, int Offset) : Expr(Offset);

internal sealed record AttrExpr(Expr Target, string Name, int Offset) : Expr(Offset);

internal sealed record IndexExpr(Expr Target, Expr Index, int Offset) : Expr(Offset);

internal sealed record SliceExpr(Expr Target, Expr? Start, Expr? Stop, Expr? Step, int Offset) : Expr(Offset);

internal sealed record CallExpr(Expr Callee, List<Expr> Args, List<(string Name, Expr Value)> Kwargs, int Offset) : Expr(Offset);

internal sealed record FilterExpr(Expr Target, string Name, List<Expr> Args, List<(string Name, Expr Value)> Kwargs, int Offset) : Expr(Offset);

internal sealed record TestExpr(Expr Target, string Name, List<Expr> Args, bool Negated, int Offset) : Expr(Offset);

internal sealed record UnaryExpr(string Op, Expr Operand, int Offset) : Expr(Offset);

internal sealed record BinaryExpr(string Op, Expr Left, Expr Right, int Offset) : Expr(Offset);

/// <summary>A comparison chain <c>a &lt; b &lt;= c</c> (also <c>in</c> / <c>not in</c>).</summary>
internal sealed record CompareExpr(Expr First, List<(string Op, Expr Operand)> Rest, int Offset) : Expr(Offset);

internal sealed record CondExpr(Expr Condition, Expr Then, Expr? Else, int Offset) : Expr(Offset);
