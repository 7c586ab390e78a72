using System.Collections;
using System.Globalization;
using System.Text;

namespace RagTune.Models.Templates.Jinja;

/// <summary>Jinja's undefined value: prints as nothing, is falsy, iterates as empty.</summary>
internal sealed class Undefined
{
    public static readonly Undefined Instance = new();

    Undefined() { }

    public override string ToString() => "";
}

/// <summary><c>namespace(...)</c>: the one object whose attributes templates may assign (<c>{% set ns.x = 1 %}</c>).</summary>
internal sealed class JinjaNamespace
{
    public OrderedDictionary<string, object?> Values { get; } = new(StringComparer.Ordinal);
}

/// <summary>A callable value: a global function or a bound method.</summary>
internal sealed class JinjaFunction(string name, Func<List<object?>, Dictionary<string, object?>, object?> body)
{
    public string Name { get; } = name;

    public object? Invoke(List<object?> args, Dictionary<string, object?> kwargs) => body(args, kwargs);
}

/// <summary>
/// The value model: null (none), <see cref="Undefined"/>, bool, long, double, string, <c>List&lt;object?&gt;</c>,
/// <c>OrderedDictionary&lt;string, object?&gt;</c>, <see cref="JinjaNamespace"/>, <see cref="JinjaFunction"/>;
/// truthiness, equality, ordering and printing follow Python.
/// </summary>
internal static class JinjaValues
{
    public static bool IsTruthy(object? v) => v switch
    {
        null or Undefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        ICollection c => c.Count > 0,
        _ => true,
    };

    public static bool IsNumber(object? v) => v is long or double;

    public static double ToDouble(object? v) => v switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw new InvalidOperationException($"expected a number, got {TypeName(v)}"),
    };

    public static string TypeName(object? v) => v switch
    {
        null => "none",
        Undefined => "undefined",
        bool => "bool",
        long => "int",
        double => "float",
        string => "string",
        List<object?> => "list",
        OrderedDictionary<string, object?> => "dict",
        JinjaNamespace => "namespace",
        JinjaFunction => "function",
        _ => v.GetType().Name,
    };

    /// <summary>Python <c>str(v)</c>; undefined prints as the empty string (Jinja's default Undefined).</summary>
    public static string ToStr(object? v) => v switch
    {
        null => "None",
        Undefined => "",
        string s => s,
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FormatDouble(d),
        _ => Repr(v),
    };

    /// <summary>Python <c>repr(v)</c>, used when lists and dicts are printed.</summary>
    public static string Repr(object? v)
    {
        switch (v)
        {
            case string s:
                var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
                var sb = new StringBuilder().Append(quote);
                foreach (var c in s)
                {
                    sb.Append(c switch
                    {
                        '\\' => "\\\\",
                        '\n' => "\\n",
                        '\r' => "\\r",
                        '\t' => "\\t",
                        _ when c == quote => "\\" + c,
                        _ => c.ToString(),
                    });
                }
                return sb.Append(quote).ToString();
            case List<object?> list:
                return "[" + string.Join(", ", list.Select(Repr)) + "]";
            case OrderedDictionary<string, object?> dict:
                return "{" + string.Join(", ", dict.Select(p => Repr(p.Key) + ": " + Repr(p.Value))) + "}";
            case JinjaNamespace ns:
                return "<Namespace " + string.Join(", ", ns.Values.Select(p => p.Key + "=" + Repr(p.Value))) + ">";
            case Undefined:
                return "Undefined";
            default:
                return ToStr(v);
        }
    }

    static string FormatDouble(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        var s = d.ToString("R", CultureInfo.InvariantCulture);
        if (s.Contains('E')) s = s.Replace("E", "e").Replace("e+", "e+");
        return s.Contains('.') || s.Contains('e') ? s : s + ".0";
    }

    /// <summary>Python <c>==</c>: numbers by value, lists and dicts element by element.</summary>
    public static bool AreEqual(object? a, object? b)
    {
        if (a is Undefined || b is Undefined) return a is Undefined && b is Undefined;
        if (a is null || b is null) return a is null && b is null;
        if ((IsNumber(a) || a is bool) && (IsNumber(b) || b is bool)) return ToDouble(a) == ToDouble(b);
        if (a is string sa && b is string sb) return sa == sb;
        if (a is List<object?> la && b is List<object?> lb) return la.Count == lb.Count && la.Zip(lb).All(p => AreEqual(p.First, p.Second));
        if (a is OrderedDictionary<string, object?> da && b is OrderedDictionary<string, object?> db)
            return da.Count == db.Count && da.All(p => db.TryGetValue(p.Key, out var other) && AreEqual(p.Value, other));
        return ReferenceEquals(a, b);
    }

    public static int Compare(object? a, object? b)
    {
        if (IsNumber(a) && IsNumber(b)) return ToDouble(a).CompareTo(ToDouble(b));
        if (a is string sa && b is string sb) return string.CompareOrdinal(sa, sb);
        throw new InvalidOperationException($"cannot compare {TypeName(a)} with {TypeName(b)}");
    }

    /// <summary>The items a for loop or filter iterates over (dicts iterate their keys, strings their characters).</summary>
    public static List<object?> Iterate(object? v) => v switch
    {
        null or Undefined => [],
        List<object?> list => list,
        OrderedDictionary<string, object?> dict => dict.Keys.Cast<object?>().ToList(),
        string s => s.EnumerateRunes().Select(r => (object?)r.ToString()).ToList(),
        _ => throw new InvalidOperationException($"{TypeName(v)} is not iterable"),
    };

    /// <summary>
    /// transformers' <c>tojson</c> filter: <c>json.dumps(x, ensure_ascii=False, indent=indent)</c> with keys in
    /// insertion order; separators are Python's defaults (<c>", "</c>/<c>": "</c>, or <c>","</c> when indented).
    /// </summary>
    public static string ToJson(object? v, int? indent)
    {
        var sb = new StringBuilder();
        WriteJson(sb, v, indent, 0);
        return sb.ToString();
    }

    static void WriteJson(StringBuilder sb, object? v, int? indent, int level)
    {
        switch (v)
        {
            case null or Undefined:
                sb.Append("null");
                return;
            case bool b:
                sb.Append(b ? "true" : "false");
                return;
            case long or double:
                sb.Append(ToStr(v));
                return;
            case string s:
                WriteJsonString(sb, s);
                return;
            case List<object?> list:
                WriteContainer(sb, '[', ']', list.Count, indent, level, (i, inner) => WriteJson(sb, list[i], indent, inner));
                return;
            case OrderedDictionary<string, object?> dict:
                var pairs = dict.ToList();
                WriteContainer(sb, '{', '}', pairs.Count, indent, level, (i, inner) =>
                {
                    WriteJsonString(sb, pairs[i].Key);
                    sb.Append(": ");
                    WriteJson(sb, pairs[i].Value, indent, inner);
                });
                return;
            case JinjaNamespace ns:
                WriteJson(sb, new OrderedDictionary<string, object?>(ns.Values), indent, level);
                return;
            default:
                throw new InvalidOperationException($"{TypeName(v)} is not JSON serializable");
        }
    }

    static void WriteContainer(StringBuilder sb, char open, char close, int count, int? indent, int level, Action<int, int> writeItem)
    {
        sb.Append(open);
        if (count == 0) { sb.Append(close); return; }
        for (var i = 0; i < count; i++)
        {
            if (i > 0) sb.Append(indent is null ? ", " : ",");
            if (indent is not null) sb.Append('\n').Append(' ', indent.Value * (level + 1));
            writeItem(i, level + 1);
        }
        if (indent is not null) sb.Append('\n').Append(' ', indent.Value * level);
        sb.Append(close);
    }

    static void WriteJsonString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4"));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
