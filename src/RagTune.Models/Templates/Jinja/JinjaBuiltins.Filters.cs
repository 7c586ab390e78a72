using System.Globalization;
using System.Net;

namespace RagTune.Models.Templates.Jinja;

internal sealed partial class JinjaBuiltins
{
    static object? Arg(List<object?> args, Dictionary<string, object?> kwargs, int index, string name, object? fallback) =>
        kwargs.TryGetValue(name, out var v) ? v : index >= 0 && index < args.Count ? args[index] : fallback;

    /// <summary>Applies the filter <paramref name="name"/> (Jinja2 built-ins plus transformers' <c>tojson</c>).</summary>
    public object? Filter(string name, object? value, List<object?> args, Dictionary<string, object?> kwargs)
    {
        switch (name)
        {
            case "trim":
                return Strip(JinjaValues.ToStr(value), Arg(args, kwargs, 0, "chars", null) as string, true, true);
            case "length" or "count":
                return value switch
                {
                    string s => (long)JinjaValues.Iterate(s).Count,
                    System.Collections.ICollection c => (long)c.Count,
                    Undefined or null => 0L,
                    _ => throw new InvalidOperationException($"object of type {JinjaValues.TypeName(value)} has no length"),
                };
            case "tojson":
                var indent = Arg(args, kwargs, 0, "indent", null);
                return JinjaValues.ToJson(value, indent is long i ? (int)i : null);
            case "upper":
                return JinjaValues.ToStr(value).ToUpperInvariant();
            case "lower":
                return JinjaValues.ToStr(value).ToLowerInvariant();
            case "capitalize":
                var cap = JinjaValues.ToStr(value);
                return cap.Length == 0 ? cap : char.ToUpperInvariant(cap[0]) + cap[1..].ToLowerInvariant();
            case "title":
                return Title(JinjaValues.ToStr(value));
            case "default" or "d":
                var useFalsy = JinjaValues.IsTruthy(Arg(args, kwargs, 1, "boolean", false));
                return value is Undefined || (useFalsy && !JinjaValues.IsTruthy(value)) ? Arg(args, kwargs, 0, "default_value", "") : value;
            case "first":
                return JinjaValues.Iterate(value) is { Count: > 0 } f ? f[0] : Undefined.Instance;
            case "last":
                return JinjaValues.Iterate(value) is { Count: > 0 } l ? l[^1] : Undefined.Instance;
            case "join":
                var attribute = Arg(args, kwargs, 1, "attribute", null) as string;
                var items = JinjaValues.Iterate(value).Select(x => attribute is null ? x : GetAttribute(x, attribute));
                return string.Join(JinjaValues.ToStr(Arg(args, kwargs, 0, "d", "")), items.Select(JinjaValues.ToStr));
            case "list":
                return JinjaValues.Iterate(value).ToList();
            case "string":
                return JinjaValues.ToStr(value);
            case "int":
                return value switch
                {
                    long l2 => l2,
                    double d => (long)d,
                    bool b => b ? 1L : 0L,
                    string s when long.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) => p,
                    _ => Arg(args, kwargs, 0, "default", 0L),
                };
            case "float":
                return value switch
                {
                    long or double => JinjaValues.ToDouble(value),
                    string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var p) => p,
                    _ => Arg(args, kwargs, 0, "default", 0.0),
                };
            case "min" or "max":
                var candidates = JinjaValues.Iterate(value);
                if (candidates.Count == 0) return Undefined.Instance;
                var best = candidates[0];
                foreach (var c in candidates.Skip(1))
                    if (JinjaValues.Compare(c, best) is var cmp && (name == "min" ? cmp < 0 : cmp > 0)) best = c;
                return best;
            case "sum":
                return JinjaValues.Iterate(value).Aggregate(Arg(args, kwargs, 1, "start", 0L), (acc, x) => Binary("+", acc, x));
            case "abs":
                return value is long al ? Math.Abs(al) : Math.Abs(JinjaValues.ToDouble(value));
            case "items":
                return value is OrderedDictionary<string, object?> dict
                    ? dict.Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList()
                    : value is Undefined ? [] : throw new InvalidOperationException($"items filter needs a dict, got {JinjaValues.TypeName(value)}");
            case "reverse":
                return value is string rs ? new string(rs.Reverse().ToArray()) : Enumerable.Reverse(JinjaValues.Iterate(value)).ToList();
            case "unique":
                var unique = new List<object?>();
                foreach (var x in JinjaValues.Iterate(value)) if (!unique.Any(u => JinjaValues.AreEqual(u, x))) unique.Add(x);
                return unique;
            case "sort":
                var sortAttr = Arg(args, kwargs, 2, "attribute", null) as string;
                var sorted = JinjaValues.Iterate(value).ToList();
                sorted.Sort((a, b) => JinjaValues.Compare(sortAttr is null ? a : GetAttribute(a, sortAttr), sortAttr is null ? b : GetAttribute(b, sortAttr)));
                if (JinjaValues.IsTruthy(Arg(args, kwargs, 0, "reverse", false))) sorted.Reverse();
                return sorted;
            case "replace":
                return JinjaValues.ToStr(value).Replace(JinjaValues.ToStr(args[0]), JinjaValues.ToStr(args[1]), StringComparison.Ordinal);
            case "safe":
                return value;
            case "e" or "escape":
                return WebUtility.HtmlEncode(JinjaValues.ToStr(value));
            case "map":
                if (Arg(args, kwargs, -1, "attribute", null) is string mapAttr)
                    return JinjaValues.Iterate(value).Select(x => GetAttribute(x, mapAttr)).ToList();
                if (args.Count > 0 && args[0] is string filterName)
                    return JinjaValues.Iterate(value).Select(x => Filter(filterName, x, args.Skip(1).ToList(), [])).ToList();
                throw new InvalidOperationException("map needs attribute= or a filter name");
            case "select" or "reject":
                return JinjaValues.Iterate(value).Where(x => SelectTest(x, args) == (name == "select")).ToList();
            case "selectattr" or "rejectattr":
                var attr = JinjaValues.ToStr(args[0]);
                return JinjaValues.Iterate(value).Where(x => SelectTest(GetAttribute(x, attr), args.Skip(1).ToList()) == (name == "selectattr")).ToList();
            case "indent":
                var width = Arg(args, kwargs, 0, "width", 4L) is long w ? (int)w : 4;
                var first = JinjaValues.IsTruthy(Arg(args, kwargs, 1, "first", false));
                var lines = JinjaValues.ToStr(value).Split('\n');
                var pad = new string(' ', width);
                return string.Join("\n", lines.Select((line, k) => (k == 0 && !first) || line.Length == 0 ? line : pad + line));
            default:
                throw new InvalidOperationException($"unsupported filter '{name}'");
        }
    }

    // select/reject: no test name means "truthy".
    bool SelectTest(object? x, List<object?> args) =>
        args.Count == 0 ? JinjaValues.IsTruthy(x) : Test(JinjaValues.ToStr(args[0]), x, args.Skip(1).ToList());

    /// <summary>Applies the test <paramref name="name"/> (<c>x is name(args)</c>).</summary>
    public bool Test(string name, object? value, List<object?> args) => name switch
    {
        "defined" => value is not Undefined,
        "undefined" => value is Undefined,
        "none" => value is null,
        "string" => value is string,
        "number" => value is long or double,
        "integer" => value is long,
        "float" => value is double,
        "boolean" => value is bool,
        "true" => value is true,
        "false" => value is false,
        "mapping" => value is OrderedDictionary<string, object?> or JinjaNamespace,
        "iterable" => value is string or List<object?> or OrderedDictionary<string, object?>,
        "sequence" => value is string or List<object?> or OrderedDictionary<string, object?>,
        "callable" => value is JinjaFunction,
        "odd" => value is long o && o % 2 != 0,
        "even" => value is long e && e % 2 == 0,
        "divisibleby" => value is long dv && args.Count > 0 && args[0] is long by && by != 0 && dv % by == 0,
        "equalto" or "eq" or "==" or "sameas" => args.Count > 0 && JinjaValues.AreEqual(value, args[0]),
        "ne" or "!=" => args.Count > 0 && !JinjaValues.AreEqual(value, args[0]),
        "lt" or "lessthan" or "<" => JinjaValues.Compare(value, args[0]) < 0,
        "le" or "<=" => JinjaValues.Compare(value, args[0]) <= 0,
        "gt" or "greaterthan" or ">" => JinjaValues.Compare(value, args[0]) > 0,
        "ge" or ">=" => JinjaValues.Compare(value, args[0]) >= 0,
        "in" => args.Count > 0 && Contains(args[0], value),
        "lower" => value is string ls && ls == ls.ToLowerInvariant(),
        "upper" => value is string us && us == us.ToUpperInvariant(),
        _ => throw new InvalidOperationException($"unsupported test '{name}'"),
    };

    /// <summary>Python methods of strings, dicts and lists that chat templates call.</summary>
    public static bool TryCallMethod(object? target, string name, List<object?> args, Dictionary<string, object?> kwargs, out object? result)
    {
        result = null;
        switch (target)
        {
            case string s:
                string? chars = args.Count > 0 ? args[0] as string : null;
                result = name switch
                {
                    "strip" => Strip(s, chars, true, true),
                    "lstrip" => Strip(s, chars, true, false),
                    "rstrip" => Strip(s, chars, false, true),
                    "upper" => s.ToUpperInvariant(),
                    "lower" => s.ToLowerInvariant(),
                    "title" => Title(s),
                    "capitalize" => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant(),
                    "startswith" => AnyPrefix(args, p => s.StartsWith(p, StringComparison.Ordinal)),
                    "endswith" => AnyPrefix(args, p => s.EndsWith(p, StringComparison.Ordinal)),
                    "split" => Split(s, args.Count > 0 ? args[0] as string : null, args.Count > 1 && args[1] is long max ? (int)max : -1),
                    "replace" => s.Replace(JinjaValues.ToStr(args[0]), JinjaValues.ToStr(args[1]), StringComparison.Ordinal),
                    "find" => (long)s.IndexOf(JinjaValues.ToStr(args[0]), StringComparison.Ordinal),
                    "count" => (long)CountOccurrences(s, JinjaValues.ToStr(args[0])),
                    "join" => string.Join(s, JinjaValues.Iterate(args[0]).Select(JinjaValues.ToStr)),
                    "isdigit" => s.Length > 0 && s.All(char.IsDigit),
                    "splitlines" => s.Split('\n').Select(l => (object?)l.TrimEnd('\r')).ToList(),
                    _ => Undefined.Instance,
                };
                return result is not Undefined;
            case OrderedDictionary<string, object?> d:
                result = name switch
                {
                    "items" => d.Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList(),
                    "keys" => d.Keys.Cast<object?>().ToList(),
                    "values" => d.Values.ToList(),
                    "get" => d.TryGetValue(JinjaValues.ToStr(args[0]), out var v) ? v : args.Count > 1 ? args[1] : null,
                    _ => Undefined.Instance,
                };
                return result is not Undefined;
            case List<object?> list when name == "append":
                list.Add(args[0]);
                return true;
            case List<object?> list when name == "index":
                result = (long)list.FindIndex(x => JinjaValues.AreEqual(x, args[0]));
                return true;
            default:
                return false;
        }
    }

    static bool AnyPrefix(List<object?> args, Func<string, bool> test) =>
        args[0] is List<object?> options ? options.Any(o => test(JinjaValues.ToStr(o))) : test(JinjaValues.ToStr(args[0]));

    /// <summary>Python <c>str.strip</c>: whitespace by default, else any of <paramref name="chars"/>.</summary>
    static string Strip(string s, string? chars, bool left, bool right)
    {
        Func<char, bool> drop = chars is null ? char.IsWhiteSpace : chars.Contains;
        int start = 0, end = s.Length;
        if (left) while (start < end && drop(s[start])) start++;
        if (right) while (end > start && drop(s[end - 1])) end--;
        return s[start..end];
    }

    static List<object?> Split(string s, string? separator, int maxSplit)
    {
        if (separator is null)
            return s.Split((char[]?)null, maxSplit < 0 ? int.MaxValue : maxSplit + 1, StringSplitOptions.RemoveEmptyEntries).Select(x => (object?)x).ToList();
        if (separator.Length == 0) throw new InvalidOperationException("split: empty separator");
        return s.Split(separator, maxSplit < 0 ? int.MaxValue : maxSplit + 1).Select(x => (object?)x).ToList();
    }

    static int CountOccurrences(string s, string sub)
    {
        if (sub.Length == 0) return s.Length + 1;
        var count = 0;
        for (var i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    static string Title(string s)
    {
        var chars = s.ToCharArray();
        var startOfWord = true;
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = startOfWord ? char.ToUpperInvariant(chars[i]) : char.ToLowerInvariant(chars[i]);
            startOfWord = !char.IsLetterOrDigit(chars[i]);
        }
        return new string(chars);
    }
}
