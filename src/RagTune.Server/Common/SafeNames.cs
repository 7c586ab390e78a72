using System.Text.RegularExpressions;

namespace RagTune.Server.Common;

/// <summary>
/// The only way a name from a request becomes part of a path: it must match a strict pattern (letters, digits,
/// <c>. _ -</c>, not starting with a dot, no separators, no <c>..</c>), and the combined path is resolved and checked
/// to stay inside its root. So a path-traversal name (<c>../x</c>, <c>/etc/passwd</c>, <c>a\b</c>) is rejected twice over.
/// </summary>
public static partial class SafeNames
{
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9 ._()+-]{0,159}$")]
    private static partial Regex FileNamePattern();

    /// <summary>True for a valid resource name (knowledge base, job, run).</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal);

    /// <summary>Throws a 400 naming <paramref name="param"/> unless <paramref name="name"/> is a valid resource name.</summary>
    public static string RequireName(string? name, string param)
    {
        if (!IsValidName(name))
            throw ApiError.BadRequest($"'{name}' is not a valid {param}: use 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit (no '/' or '..').", param, "invalid_name");
        return name!;
    }

    /// <summary>Throws a 400 unless <paramref name="fileName"/> is a plain file name (no directories, no '..', no control characters).</summary>
    public static string RequireFileName(string? fileName, string param = "file")
    {
        if (fileName is null || !FileNamePattern().IsMatch(fileName) || fileName.Contains("..", StringComparison.Ordinal))
            throw ApiError.BadRequest($"File name '{fileName}' is not allowed: use a plain name of letters, digits, spaces, '.', '_', '-', '(', ')' or '+' " +
                                      "without folders or '..'.", param, "invalid_file_name");
        return fileName;
    }

    /// <summary><paramref name="root"/>/<paramref name="name"/>, resolved, and proven to lie strictly inside <paramref name="root"/>.</summary>
    public static string Inside(string root, string name)
    {
        var fullRoot = Path.GetFullPath(root);
        var path = Path.GetFullPath(Path.Combine(fullRoot, name));
        var prefix = fullRoot.EndsWith(Path.DirectorySeparatorChar) ? fullRoot : fullRoot + Path.DirectorySeparatorChar;
        if (!path.StartsWith(prefix, StringComparison.Ordinal) || path.Length == prefix.Length)
            throw ApiError.BadRequest($"'{name}' would resolve outside its folder.", "name", "invalid_name");
        return path;
    }
}
