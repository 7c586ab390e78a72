using System.Text.Json.Nodes;

namespace RagTune.Application.Compare;

/// <summary>Typed field access on the config's JSON with errors naming the file and the field.</summary>
internal sealed class ConfigReader(string source)
{
    public CompareConfigException Error(string field, string what) => new($"{source}: field \"{field}\": {what}.");

    public void RejectUnknown(JsonObject o, string prefix, IReadOnlyCollection<string> known)
    {
        foreach (var key in o.Select(p => p.Key))
            if (!known.Contains(key)) throw Error(prefix + key, $"unknown field; expected one of {string.Join(", ", known.Where(k => !k.StartsWith('$')))}");
    }

    public string RequiredString(JsonObject o, string name, string prefix = "") =>
        OptionalString(o, name, prefix) ?? throw Error(prefix + name, "required (a string)");

    public string? OptionalString(JsonObject o, string name, string prefix = "")
    {
        var node = o[name];
        if (node is null) return null;
        if (node is JsonValue v && v.TryGetValue<string>(out var s)) return s;
        throw Error(prefix + name, $"must be a string, got {node.ToJsonString()}");
    }

    public IReadOnlyList<string> StringList(JsonObject o, string name, string prefix = "")
    {
        var node = o[name];
        if (node is null) return [];
        if (node is JsonValue v && v.TryGetValue<string>(out var single)) return [single];
        if (node is not JsonArray a) throw Error(prefix + name, "must be a string or a list of strings");
        return a.Select((x, i) => x is JsonValue xv && xv.TryGetValue<string>(out var s) ? s : throw Error($"{prefix}{name}[{i}]", "must be a string")).ToList();
    }

    public int? Int(JsonObject o, string name, string prefix = "")
    {
        var node = o[name];
        if (node is null) return null;
        if (node is JsonValue v && v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue) return (int)d;
        throw Error(prefix + name, $"must be an integer, got {node.ToJsonString()}");
    }

    public bool? Bool(JsonObject o, string name, string prefix = "")
    {
        var node = o[name];
        if (node is null) return null;
        if (node is JsonValue v && v.TryGetValue<bool>(out var b)) return b;
        throw Error(prefix + name, $"must be true or false, got {node.ToJsonString()}");
    }

    public double? Double(JsonObject o, string name, string prefix = "")
    {
        var node = o[name];
        if (node is null) return null;
        if (node is JsonValue v && v.TryGetValue<double>(out var d)) return d;
        throw Error(prefix + name, $"must be a number, got {node.ToJsonString()}");
    }
}
