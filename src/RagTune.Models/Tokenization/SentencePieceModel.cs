using System.Text;

namespace RagTune.Models.Tokenization;

/// <summary>
/// A SentencePiece <c>tokenizer.model</c> (the <c>ModelProto</c> protobuf of google/sentencepiece
/// <c>sentencepiece_model.proto</c>), read with a small wire-format reader, and its BPE encoder/decoder.
/// Only BPE models with the identity normalizer are supported (Llama 2, Mistral); others fail naming the file.
/// </summary>
internal sealed class SentencePieceModel
{
    // SentencePiece.Type values.
    public const int Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6;
    public const char Space = '\u2581';

    public required string[] Pieces { get; init; }
    public required float[] Scores { get; init; }
    public required int[] Types { get; init; }
    public int UnkId { get; init; }
    public int BosId { get; init; } = 1;
    public int EosId { get; init; } = 2;
    public int PadId { get; init; } = -1;
    public bool ByteFallback { get; init; }
    public bool AddDummyPrefix { get; set; } = true;
    public bool RemoveExtraWhitespaces { get; init; } = true;
    public bool EscapeWhitespaces { get; init; } = true;

    Dictionary<string, int> _pieceIds = null!;   // NORMAL, USER_DEFINED, UNUSED: candidates for merges
    Dictionary<string, int> _reserved = null!;   // the other types (control, unknown, byte)
    List<string> _userDefined = null!;
    bool _splitAtSpaces;
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);

    /// <summary>Reads <paramref name="path"/>; throws <see cref="TokenizerLoadException"/> for malformed or unsupported models.</summary>
    public static SentencePieceModel Load(string path)
    {
        byte[] data;
        try { data = File.ReadAllBytes(path); }
        catch (IOException e) { throw new TokenizerLoadException(path, $"cannot read the file ({e.Message})", e); }
        try
        {
            return Parse(data, path);
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or InvalidDataException or DecoderFallbackException)
        {
            throw new TokenizerLoadException(path, $"not a valid SentencePiece model protobuf ({e.Message})", e);
        }
    }

    static SentencePieceModel Parse(byte[] data, string path)
    {
        var pieces = new List<string>();
        var scores = new List<float>();
        var types = new List<int>();
        int modelType = 1, unkId = 0, bosId = 1, eosId = 2, padId = -1;
        bool byteFallback = false, addDummyPrefix = true, removeExtra = true, escape = true;
        string normalizerName = "";
        var charsMapLength = 0;
        foreach (var (field, value, bytes) in ProtoReader.Fields(data))
        {
            switch (field)
            {
                case 1: // pieces
                    string piece = "";
                    float score = 0;
                    var type = Normal;
                    foreach (var (f, v, b) in ProtoReader.Fields(bytes!))
                    {
                        if (f == 1) piece = Encoding.UTF8.GetString(b!);
                        else if (f == 2) score = BitConverter.Int32BitsToSingle((int)v);
                        else if (f == 3) type = (int)v;
                    }
                    pieces.Add(piece);
                    scores.Add(score);
                    types.Add(type);
                    break;
                case 2: // trainer_spec
                    foreach (var (f, v, _) in ProtoReader.Fields(bytes!))
                    {
                        switch (f)
                        {
                            case 3: modelType = (int)v; break;
                            case 35: byteFallback = v != 0; break;
                            case 40: unkId = (int)v; break;
                            case 41: bosId = (int)v; break;
                            case 42: eosId = (int)v; break;
                            case 43: padId = (int)v; break;
                        }
                    }
                    break;
                case 3: // normalizer_spec
                    foreach (var (f, v, b) in ProtoReader.Fields(bytes!))
                    {
                        switch (f)
                        {
                            case 1: normalizerName = Encoding.UTF8.GetString(b!); break;
                            case 2: charsMapLength = b!.Length; break;
                            case 3: addDummyPrefix = v != 0; break;
                            case 4: removeExtra = v != 0; break;
                            case 5: escape = v != 0; break;
                        }
                    }
                    break;
            }
        }
        if (pieces.Count == 0) throw new TokenizerLoadException(path, "the SentencePiece model has no pieces");
        if (modelType != 2)
            throw new TokenizerLoadException(path, $"unsupported SentencePiece model type {(modelType == 1 ? "UNIGRAM" : modelType.ToString())}; only BPE (Llama/Mistral) is implemented");
        if (charsMapLength > 0)
            throw new TokenizerLoadException(path, $"unsupported SentencePiece normalizer '{normalizerName}' (precompiled charsmap); only 'identity' is implemented");
        var model = new SentencePieceModel
        {
            Pieces = [.. pieces], Scores = [.. scores], Types = [.. types], UnkId = unkId, BosId = bosId, EosId = eosId, PadId = padId,
            ByteFallback = byteFallback, AddDummyPrefix = addDummyPrefix, RemoveExtraWhitespaces = removeExtra, EscapeWhitespaces = escape,
        };
        model.Index();
        return model;
    }

    /// <summary>Builds the lookup tables; call once after setting the pieces (done by <see cref="Load"/>).</summary>
    internal void Index()
    {
        _pieceIds = new Dictionary<string, int>(StringComparer.Ordinal);
        _reserved = new Dictionary<string, int>(StringComparer.Ordinal);
        _userDefined = [];
        for (var i = 0; i < Pieces.Length; i++)
        {
            var t = Types[i];
            if (t is Normal or UserDefined or Unused) _pieceIds.TryAdd(Pieces[i], i);
            else _reserved.TryAdd(Pieces[i], i);
            if (t == UserDefined) _userDefined.Add(Pieces[i]);
        }
        _userDefined.Sort((a, b) => b.Length.CompareTo(a.Length));
        _splitAtSpaces = MetaspaceWordSplit.IsSafe(_pieceIds.Keys);
    }

    /// <summary>SentencePiece <c>PieceToId</c>: reserved pieces first, then normal ones, else unk.</summary>
    public int PieceToId(string piece) => _reserved.TryGetValue(piece, out var id) ? id : _pieceIds.TryGetValue(piece, out id) ? id : UnkId;

    public bool HasPiece(string piece) => _reserved.ContainsKey(piece) || _pieceIds.ContainsKey(piece);

    /// <summary>SentencePiece <c>Encode</c>: normalize, split into characters, merge best-scoring pairs, byte fallback.</summary>
    public void Encode(string text, List<int> output)
    {
        var normalized = Normalize(text);
        if (normalized.Length == 0) return;
        if (!_splitAtSpaces)
        {
            EncodeNormalized(normalized, output);
            return;
        }
        // Words are merged independently (see MetaspaceWordSplit) and cached: text repeats words a lot.
        foreach (var (start, length) in MetaspaceWordSplit.Segments(normalized))
        {
            var word = normalized.Substring(start, length);
            if (!_cache.TryGetValue(word, out var ids))
            {
                var list = new List<int>();
                EncodeNormalized(word, list);
                ids = [.. list];
                if (word.Length <= 256)
                {
                    if (_cache.Count > 200_000) _cache.Clear();
                    _cache.TryAdd(word, ids);
                }
            }
            output.AddRange(ids);
        }
    }

    void EncodeNormalized(string normalized, List<int> output)
    {
        var symbols = new List<string>();
        var frozen = new List<bool>();
        for (var i = 0; i < normalized.Length;)
        {
            var user = _userDefined.FirstOrDefault(u => string.CompareOrdinal(normalized, i, u, 0, u.Length) == 0);
            var len = user?.Length ?? (char.IsSurrogatePair(normalized, i) ? 2 : 1);
            symbols.Add(normalized.Substring(i, len));
            frozen.Add(user is not null);
            i += len;
        }
        foreach (var piece in MergeSymbols(symbols, frozen))
        {
            var id = PieceToId(piece);
            if (id != UnkId || !ByteFallback) { output.Add(id); continue; }
            foreach (var b in Encoding.UTF8.GetBytes(piece)) output.Add(PieceToId($"<0x{b:X2}>"));
        }
    }

    string Normalize(string text)
    {
        if (text.Length == 0) return text;
        if (RemoveExtraWhitespaces)
        {
            var sb = new StringBuilder(text.Length);
            foreach (var c in text.Trim(' '))
                if (!(c == ' ' && sb.Length > 0 && sb[^1] == ' ')) sb.Append(c);
            text = sb.ToString();
            if (text.Length == 0) return text;
        }
        if (AddDummyPrefix) text = " " + text;
        return EscapeWhitespaces ? text.Replace(' ', Space) : text;
    }

    List<string> MergeSymbols(List<string> symbols, List<bool> frozen)
    {
        var n = symbols.Count;
        var pieces = symbols.ToArray();
        var next = new int[n];
        var prev = new int[n];
        for (var i = 0; i < n; i++) { next[i] = i + 1 < n ? i + 1 : -1; prev[i] = i - 1; }
        // Highest score first, leftmost on ties (sentencepiece bpe_model.cc agenda order).
        var queue = new PriorityQueue<(int Left, string L, string R), (float NegScore, int Left)>();
        void Push(int left)
        {
            if (left < 0) return;
            var right = next[left];
            if (right < 0 || frozen[left] || frozen[right]) return;
            var merged = pieces[left] + pieces[right];
            if (_pieceIds.TryGetValue(merged, out var id)) queue.Enqueue((left, pieces[left], pieces[right]), (-Scores[id], left));
        }
        for (var i = 0; i + 1 < n; i++) Push(i);
        var unusedSplits = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        while (queue.TryDequeue(out var top, out _))
        {
            var right = next[top.Left];
            if (right < 0 || pieces[top.Left] != top.L || pieces[right] != top.R || pieces[top.Left].Length == 0) continue;
            var merged = top.L + top.R;
            if (Types[_pieceIds[merged]] == Unused) unusedSplits[merged] = (top.L, top.R);
            pieces[top.Left] = merged;
            pieces[right] = "";
            next[top.Left] = next[right];
            if (next[right] >= 0) prev[next[right]] = top.Left;
            Push(prev[top.Left]);
            Push(top.Left);
        }
        var result = new List<string>(n);
        for (var i = 0; i >= 0; i = next[i]) Resegment(pieces[i], unusedSplits, result);
        return result;
    }

    // An UNUSED piece may be merged through but not emitted: split it back into the pieces it came from.
    void Resegment(string piece, Dictionary<string, (string L, string R)> splits, List<string> output)
    {
        if (_pieceIds.TryGetValue(piece, out var id) && Types[id] == Unused && splits.TryGetValue(piece, out var parts))
        {
            Resegment(parts.L, splits, output);
            Resegment(parts.R, splits, output);
        }
        else output.Add(piece);
    }

    /// <summary>SentencePiece <c>DecodePieces</c>: bytes re-joined as UTF-8, '▁' as spaces, the dummy-prefix space dropped.</summary>
    public string DecodePieces(IEnumerable<string> pieces)
    {
        var sb = new StringBuilder();
        var bytes = new List<byte>();
        var isBosWs = true;
        void Flush()
        {
            if (bytes.Count == 0) return;
            sb.Append(Encoding.UTF8.GetString(bytes.ToArray()));
            bytes.Clear();
            isBosWs = false;
        }
        foreach (var piece in pieces)
        {
            var id = PieceToId(piece);
            if (Types[id] == Byte && ByteFallbackDecoder.TryParseByteToken(piece, out var b)) { bytes.Add(b); continue; }
            Flush();
            if (Types[id] == Control) continue;
            string surface;
            var consumed = false;
            if (id == UnkId) surface = piece == Pieces[UnkId] ? " \u2047 " : piece;
            else
            {
                var p = piece;
                if (isBosWs && (AddDummyPrefix || RemoveExtraWhitespaces) && p.StartsWith(Space)) { p = p[1..]; consumed = true; }
                surface = p.Replace(Space, ' ');
            }
            if (isBosWs && (surface.Length > 0 || consumed)) isBosWs = false;
            sb.Append(surface);
        }
        Flush();
        return sb.ToString();
    }
}
