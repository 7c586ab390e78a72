using System.Security.Cryptography;
using System.Text;

namespace RagTune.Server.Operations;

/// <summary>
/// The keys of <c>--api-key-file</c> (one per line; blank lines and <c>#</c> comments ignored). A presented key is
/// compared with every configured key in constant time (SHA-256 digests, so lengths leak nothing either).
/// </summary>
public sealed class ApiKeys
{
    readonly byte[][] _digests;

    ApiKeys(byte[][] digests) => _digests = digests;

    /// <summary>No keys: every request is allowed.</summary>
    public static ApiKeys None { get; } = new([]);

    /// <summary>True when requests must present a key.</summary>
    public bool Required => _digests.Length > 0;

    /// <summary>Reads the key file; throws <see cref="InvalidDataException"/> naming the file when it holds no key.</summary>
    public static ApiKeys FromFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The API key file {path} does not exist.", path);
        var keys = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        if (keys.Count == 0) throw new InvalidDataException($"{path}: no API key in the file (one key per line expected).");
        return new ApiKeys([.. keys.Select(Digest)]);
    }

    /// <summary>Whether <paramref name="presented"/> is one of the keys (every key is compared, matched or not).</summary>
    public bool IsValid(string? presented)
    {
        if (!Required) return true;
        if (string.IsNullOrEmpty(presented)) return false;
        var digest = Digest(presented);
        var match = false;
        foreach (var key in _digests) match |= CryptographicOperations.FixedTimeEquals(digest, key);
        return match;
    }

    static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
