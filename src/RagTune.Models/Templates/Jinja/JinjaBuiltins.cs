using System.Globalization;

namespace RagTune.Models.Templates.Jinja;

/// <summary>
/// Operators, attribute access, string/dict/list methods and the global functions of transformers' chat-template
/// environment (<c>raise_exception</c>, <c>strftime_now</c>, <c>namespace</c>, <c>range</c>). Filters, tests and
/// methods are in JinjaBuiltins.Filters.cs.
/// </summary>
internal sealed partial class JinjaBuiltins(TimeProvider clock)
{
    public object? Global(string name) => name switch
    {
        "raise_exception" => new JinjaFunction(name, (args, _) =>
            throw new TemplateException($"chat template raised an exception: {(args.Count > 0 ? JinjaValues.ToStr(args[0]) : "")}")),
        "strftime_now" => new JinjaFunction(name, (args, _) => Strftime(clock.GetLocalNow(), args.Count > 0 ? JinjaValues.ToStr(args[0]) : "")),
        "namespace" => new JinjaFunction(name, (args, kwargs) =>
        {
            var ns = new JinjaNamespace();
            if (args.Count > 0 && args[0] is OrderedDictionary<string, object?> initial)
                foreach (var (k, v) in initial) ns.Values[k] = v;
            foreach (var (k, v) in kwargs) ns.Values[k] = v;
            return ns;
        }),
        "range" => new JinjaFunction(name, (args, _) => Range(args)),
        "dict" => new JinjaFunction(name, (_, kwargs) => new OrderedDictionary<string, object?>(kwargs, StringComparer.Ordinal)),
        _ => Undefined.Instance,
    };

    static List<object?> Range(List<object?> args)
    {
        long start = 0, stop, step = 1;
        if (args.Count == 1) stop = ToLong(args[0]);
        else
        {
            start = ToLong(args[0]);
            stop = ToLong(args[1]);
            if (args.Count > 2) step = ToLong(args[2]);
        }
        if (step == 0) throw new InvalidOperationException("range() step must not be zero");
        var result = new List<object?>();
        for (var i = start; step > 0 ? i < stop : i > stop; i += step) result.Add(i);
        return result;
    }

    static long ToLong(object? v) => v is long l ? l : v is double d ? (long)d : throw new InvalidOperationException($"expected an integer, got {JinjaValues.TypeName(v)}");

    /// <summary>Python's <c>strftime</c> for the codes templates use (Llama 3.2: <c>"%d %b %Y"</c>).</summary>
    public static string Strftime(DateTimeOffset t, string format)
    {
        var sb = new System.Text.StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length) { sb.Append(format[i]); continue; }
            var code = format[++i];
            sb.Append(code switch
            {
                'd' => t.Day.ToString("00", ci),
                'm' => t.Month.ToString("00", ci),
                'Y' => t.Year.ToString(ci),
                'y' => (t.Year % 100).ToString("00", ci),
                'b' => t.ToString("MMM", ci),
                'B' => t.ToString("MMMM", ci),
                'a' => t.ToString("ddd", ci),
                'A' => t.ToString("dddd", ci),
                'H' => t.Hour.ToString("00", ci),
                'I' => (t.Hour % 12 == 0 ? 12 : t.Hour % 12).ToString("00", ci),
                'p' => t.Hour < 12 ? "AM" : "PM",
                'M' => t.Minute.ToString("00", ci),
                'S' => t.Second.ToString("00", ci),
                'j' => t.DayOfYear.ToString("000", ci),
                '%' => "%",
                _ => throw new InvalidOperationException($"strftime_now: unsupported format code '%{code}'"),
            });
        }
        return sb.ToString();
    }

    /// <summary>Jinja's getattr: dict keys, namespace attributes; anything missing is undefined.</summary>
    public static object? GetAttribute(object? target, string name) => target switch
    {
        OrderedDictionary<string, object?> d => d.TryGetValue(name, out var v) ? v : Undefined.Instance,
        JinjaNamespace ns => ns.Values.TryGetValue(name, out var v) ? v : Undefined.Instance,
        _ => Undefined.Instance,
    };

    public static object? GetItem(object? target, object? index)
    {
        switch (target)
        {
            case OrderedDictionary<string, object?> d:
                return d.TryGetValue(JinjaValues.ToStr(index), out var v) ? v : Undefined.Instance;
            case JinjaNamespace ns:
                return ns.Values.TryGetValue(JinjaValues.ToStr(index), out var nv) ? nv : Undefined.Instance;
            case List<object?> list when index is long i:
                if (i < 0) i += list.Count;
                return i >= 0 && i < list.Count ? list[(int)i] : Undefined.Instance;
            case string s when index is long i:
                var chars = JinjaValues.Iterate(s);
                if (i < 0) i += chars.Count;
                return i >= 0 && i < chars.Count ? chars[(int)i] : Undefined.Instance;
            default:
                return target is Undefined or null || index is string
                    ? Undefined.Instance
                    : throw new InvalidOperationException($"cannot index {JinjaValues.TypeName(target)} with {JinjaValues.TypeName(index)}");
        }
    }

    /// <summary>Python slicing <c>x[start:stop:step]</c> of a list or string.</summary>
    public static object? Slice(object? target, object? start, object? stop, object? step)
    {
        var items = target switch
        {
            List<object?> l => l,
            string s => JinjaValues.Iterate(s),
            Undefined => [],
            _ => throw new InvalidOperationException($"cannot slice {JinjaValues.TypeName(target)}"),
        };
        var n = items.Count;
        var st = step is null ? 1 : ToLong(step);
        if (st == 0) throw new InvalidOperationException("slice step cannot be zero");
        long Norm(object? v, long fallback, long low, long high)
        {
            if (v is null) return fallback;
            var x = ToLong(v);
            if (x < 0) x += n;
            return Math.Clamp(x, low, high);
        }
        var result = new List<object?>();
        if (st > 0)
            for (var i = Norm(start, 0, 0, n); i < Norm(stop, n, 0, n); i += st) result.Add(items[(int)i]);
        else
            for (var i = Norm(start, n - 1, -1, n - 1); i > Norm(stop, -1, -1, n - 1); i += st) result.Add(items[(int)i]);
        return target is string ? string.Concat(result.Select(JinjaValues.ToStr)) : result;
    }

    public static object? Binary(string op, object? a, object? b)
    {
        if (op == "~") return JinjaValues.ToStr(a) + JinjaValues.ToStr(b);
        if (op == "+")
        {
            if (a is string sa && b is string sb) return sa + sb;
            if (a is List<object?> la && b is List<object?> lb) return la.Concat(lb).ToList();
        }
        if (op == "*" && a is string rep && b is long times) return string.Concat(Enumerable.Repeat(rep, (int)Math.Max(0, times)));
        if (!(JinjaValues.IsNumber(a) || a is bool) || !(JinjaValues.IsNumber(b) || b is bool))
            throw new InvalidOperationException($"unsupported operand types for {op}: {JinjaValues.TypeName(a)} and {JinjaValues.TypeName(b)}");
        if (a is long or bool && b is long or bool && op is "+" or "-" or "*" or "//" or "%")
        {
            long x = a is long la2 ? la2 : (bool)a ? 1 : 0, y = b is long lb2 ? lb2 : (bool)b ? 1 : 0;
            if (op is "//" or "%" && y == 0) throw new InvalidOperationException("integer division or modulo by zero");
            return op switch
            {
                "+" => x + y,
                "-" => x - y,
                "*" => x * y,
                "//" => (long)Math.Floor((double)x / y),
                _ => ((x % y) + y) % y,
            };
        }
        double dx = JinjaValues.ToDouble(a), dy = JinjaValues.ToDouble(b);
        return op switch
        {
            "+" => dx + dy,
            "-" => dx - dy,
            "*" => dx * dy,
            "/" => dy == 0 ? throw new InvalidOperationException("division by zero") : dx / dy,
            "//" => Math.Floor(dx / dy),
            "%" => dx - dy * Math.Floor(dx / dy),
            "**" => a is long && b is long && dy >= 0 ? (object)(long)Math.Pow(dx, dy) : Math.Pow(dx, dy),
            _ => throw new InvalidOperationException($"unknown operator {op}"),
        };
    }

    public static bool Compare(string op, object? a, object? b) => op switch
    {
        "==" => JinjaValues.AreEqual(a, b),
        "!=" => !JinjaValues.AreEqual(a, b),
        "<" => JinjaValues.Compare(a, b) < 0,
        "<=" => JinjaValues.Compare(a, b) <= 0,
        ">" => JinjaValues.Compare(a, b) > 0,
        ">=" => JinjaValues.Compare(a, b) >= 0,
        "in" => Contains(b, a),
        "not in" => !Contains(b, a),
        _ => throw new InvalidOperationException($"unknown comparison {op}"),
    };

    public static bool Contains(object? container, object? item) => container switch
    {
        string s => item is string sub ? s.Contains(sub, StringComparison.Ordinal) : throw new InvalidOperationException($"'in <string>' requires a string, not {JinjaValues.TypeName(item)}"),
        List<object?> l => l.Any(x => JinjaValues.AreEqual(x, item)),
        OrderedDictionary<string, object?> d => item is string k && d.ContainsKey(k),
        JinjaNamespace ns => item is string k && ns.Values.ContainsKey(k),
        null or Undefined => false,
        _ => throw new InvalidOperationException($"argument of type {JinjaValues.TypeName(container)} is not iterable"),
    };
}
