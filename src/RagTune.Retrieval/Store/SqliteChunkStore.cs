using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace RagTune.Retrieval.Store;

/// <summary>
/// The SQLite half of a knowledge base (<c>kb.sqlite</c>): files, documents (full text, for citation spans),
/// chunks with embedding BLOBs and per-document metadata pairs for filters. WAL journal so readers never block the
/// writer; every <see cref="WriteBatch"/> is one transaction that also bumps a sequence number Lucene records.
/// A connection per call (the provider pools them), so the type is thread-safe.
/// </summary>
internal sealed class SqliteChunkStore
{
    readonly string _connectionString;

    public SqliteChunkStore(string path, bool readOnly)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            // Readers open read-write (without creating): SQLite may need to create the WAL index (-shm) even to read.
            Mode = readOnly ? SqliteOpenMode.ReadWrite : SqliteOpenMode.ReadWriteCreate,
            DefaultTimeout = 30,
            Pooling = true,
        }.ToString();
        if (readOnly) return;
        using var c = Open();
        Execute(c, """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS kb_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS files(path TEXT PRIMARY KEY, hash TEXT NOT NULL, size INTEGER NOT NULL, mtime TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS documents(id TEXT PRIMARY KEY, file TEXT NOT NULL, hash TEXT NOT NULL, title TEXT NOT NULL,
                text TEXT NOT NULL, mtime TEXT);
            CREATE INDEX IF NOT EXISTS documents_file ON documents(file);
            CREATE TABLE IF NOT EXISTS chunks(rowid INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, doc_id TEXT NOT NULL,
                ordinal INTEGER NOT NULL, text TEXT NOT NULL, span_start INTEGER NOT NULL, span_end INTEGER NOT NULL, page INTEGER,
                heading TEXT NOT NULL, tokens INTEGER NOT NULL, embedding BLOB);
            CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
            CREATE TABLE IF NOT EXISTS doc_meta(doc_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS doc_meta_doc ON doc_meta(doc_id);
            CREATE INDEX IF NOT EXISTS doc_meta_kv ON doc_meta(key, value);
            """);
    }

    public SqliteConnection Open()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        // NORMAL is durable across process crashes in WAL mode (only an OS crash can lose the last commits).
        Execute(c, "PRAGMA synchronous=NORMAL;");
        return c;
    }

    static void Execute(SqliteConnection c, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public string? GetMeta(string key)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT value FROM kb_meta WHERE key=$k";
        cmd.Parameters.AddWithValue("$k", key);
        return cmd.ExecuteScalar() as string;
    }

    public void SetMeta(string key, string value)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "INSERT INTO kb_meta(key,value) VALUES($k,$v) ON CONFLICT(key) DO UPDATE SET value=excluded.value";
        cmd.Parameters.AddWithValue("$k", key);
        cmd.Parameters.AddWithValue("$v", value);
        cmd.ExecuteNonQuery();
    }

    public long Sequence => long.Parse(GetMeta("seq") ?? "0", CultureInfo.InvariantCulture);

    /// <summary>Commits <paramref name="batch"/> in one transaction; returns the new sequence number and the row
    /// ids removed and added (for the Lucene and vector updates that follow). Each statement is prepared once per
    /// batch and re-run with new parameter values (re-parsing SQL per document was most of the commit time).</summary>
    public (long Sequence, List<long> Removed, List<(long RowId, DocumentWrite Doc, int Index)> Added) Commit(WriteBatch batch)
    {
        using var c = Open();
        using var tx = c.BeginTransaction();
        var removed = new List<long>();
        var added = new List<(long, DocumentWrite, int)>(batch.ChunkCount);
        using var statements = new PreparedStatements(c, tx);

        var deleteChunksOfDoc = statements.Get("DELETE FROM chunks WHERE doc_id=$d RETURNING rowid", "$d");
        var deleteMeta = statements.Get("DELETE FROM doc_meta WHERE doc_id=$d", "$d");
        var deleteDoc = statements.Get("DELETE FROM documents WHERE id=$d", "$d");
        foreach (var id in batch.DeletedDocuments.Concat(batch.Documents.Select(d => d.Document.Id)))
        {
            ReadRowIds(deleteChunksOfDoc.With(id), removed);
            deleteMeta.With(id).ExecuteNonQuery();
            deleteDoc.With(id).ExecuteNonQuery();
        }
        if (batch.DeletedChunks.Count > 0)
        {
            var deleteChunk = statements.Get("DELETE FROM chunks WHERE id=$id RETURNING rowid", "$id");
            foreach (var chunkId in batch.DeletedChunks) ReadRowIds(deleteChunk.With(chunkId), removed);
        }

        var insertDoc = statements.Get("INSERT INTO documents(id,file,hash,title,text,mtime) VALUES($id,$file,$hash,$title,$text,$mtime)",
            "$id", "$file", "$hash", "$title", "$text", "$mtime");
        var insertMeta = statements.Get("INSERT INTO doc_meta(doc_id,key,value) VALUES($d,$k,$v)", "$d", "$k", "$v");
        var insertChunk = statements.Get("""
            INSERT INTO chunks(id,doc_id,ordinal,text,span_start,span_end,page,heading,tokens,embedding)
            VALUES($id,$doc,$ord,$text,$s,$e,$page,$h,$tok,$emb) RETURNING rowid
            """, "$id", "$doc", "$ord", "$text", "$s", "$e", "$page", "$h", "$tok", "$emb");
        foreach (var write in batch.Documents)
        {
            var d = write.Document;
            insertDoc.With(d.Id, d.FilePath, d.ContentHash, d.Title, d.Text, d.Modified?.ToString("O", CultureInfo.InvariantCulture)).ExecuteNonQuery();
            foreach (var (key, value) in MetadataPairs(d)) insertMeta.With(d.Id, key, value).ExecuteNonQuery();
            for (var i = 0; i < write.Chunks.Count; i++)
            {
                var ch = write.Chunks[i];
                var embedding = write.Embeddings is { } e ? MemoryMarshal.AsBytes(e[i].Span).ToArray() : null;
                insertChunk.With(ch.Id, ch.DocumentId, ch.Ordinal, ch.Text, ch.Start, ch.End, ch.Page, ch.HeadingPath, ch.TokenCount, embedding);
                added.Add(((long)insertChunk.ExecuteScalar()!, write, i));
            }
        }
        if (batch.DeletedFiles.Count > 0)
        {
            var deleteFile = statements.Get("DELETE FROM files WHERE path=$p", "$p");
            foreach (var path in batch.DeletedFiles) deleteFile.With(path).ExecuteNonQuery();
        }
        if (batch.Files.Count > 0)
        {
            var upsertFile = statements.Get("INSERT INTO files(path,hash,size,mtime) VALUES($p,$h,$s,$m) ON CONFLICT(path) DO UPDATE SET hash=excluded.hash,size=excluded.size,mtime=excluded.mtime",
                "$p", "$h", "$s", "$m");
            foreach (var f in batch.Files) upsertFile.With(f.Path, f.Hash, f.Size, f.Modified.ToString("O", CultureInfo.InvariantCulture)).ExecuteNonQuery();
        }
        var sequence = 0L;
        using (var seq = c.CreateCommand())
        {
            seq.Transaction = tx;
            seq.CommandText = "INSERT INTO kb_meta(key,value) VALUES('seq','1') ON CONFLICT(key) DO UPDATE SET value=CAST(value AS INTEGER)+1; SELECT value FROM kb_meta WHERE key='seq'";
            sequence = long.Parse((string)seq.ExecuteScalar()!, CultureInfo.InvariantCulture);
        }
        tx.Commit();
        return (sequence, removed, added);
    }

    static void ReadRowIds(SqliteCommand command, List<long> into)
    {
        using var r = command.ExecuteReader();
        while (r.Read()) into.Add(r.GetInt64(0));
    }

    /// <summary>The filterable pairs of a document: source, doc, title, and its metadata (tags split at ';').</summary>
    internal static IEnumerable<(string Key, string Value)> MetadataPairs(Ingestion.SourceDocument d)
    {
        yield return ("source", d.FilePath);
        yield return ("doc", d.Id);
        yield return ("title", d.Title);
        foreach (var (key, value) in d.Metadata)
        {
            if (key == "tag" || key == "tags")
                foreach (var tag in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) yield return ("tag", tag);
            else yield return (key, value);
        }
    }

    public List<T> Query<T>(string sql, Func<SqliteDataReader, T> map, params (string Name, object? Value)[] args)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        using var r = cmd.ExecuteReader();
        var list = new List<T>();
        while (r.Read()) list.Add(map(r));
        return list;
    }

    const string ChunkColumns = "c.rowid, c.id, c.doc_id, d.file, d.title, c.text, c.span_start, c.span_end, c.page, c.heading, c.ordinal";

    static StoredChunk ReadChunk(SqliteDataReader r) => new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
        r.GetString(5), r.GetInt32(6), r.GetInt32(7), r.IsDBNull(8) ? null : r.GetInt32(8), r.GetString(9), r.GetInt32(10));

    public Dictionary<long, StoredChunk> GetChunks(IEnumerable<long> rowIds)
    {
        var ids = rowIds.Distinct().ToList();
        var result = new Dictionary<long, StoredChunk>();
        foreach (var slice in ids.Chunk(500))
            foreach (var chunk in Query($"SELECT {ChunkColumns} FROM chunks c JOIN documents d ON d.id=c.doc_id WHERE c.rowid IN ({string.Join(',', slice)})", ReadChunk))
                result[chunk.RowId] = chunk;
        return result;
    }

    public List<StoredChunk> ChunksOfDocument(string documentId) =>
        Query($"SELECT {ChunkColumns} FROM chunks c JOIN documents d ON d.id=c.doc_id WHERE c.doc_id=$d ORDER BY c.ordinal", ReadChunk, ("$d", documentId));

    /// <summary>Chunks (with their documents' filter pairs) for the given row ids, for (re)indexing in Lucene.</summary>
    public List<(StoredChunk Chunk, List<(string Key, string Value)> Meta)> ChunksForIndexing(IEnumerable<long> rowIds)
    {
        var chunks = GetChunks(rowIds);
        var meta = new Dictionary<string, List<(string, string)>>();
        foreach (var docs in chunks.Values.Select(c => c.DocumentId).Distinct().Chunk(500))
        {
            var args = docs.Select((d, i) => ($"$d{i}", (object?)d)).ToArray();
            foreach (var (doc, key, value) in Query($"SELECT doc_id,key,value FROM doc_meta WHERE doc_id IN ({string.Join(',', args.Select(a => a.Item1))})",
                         r => (r.GetString(0), r.GetString(1), r.GetString(2)), args))
                (meta.TryGetValue(doc, out var list) ? list : meta[doc] = []).Add((key, value));
        }
        return chunks.Values.OrderBy(c => c.RowId).Select(c => (c, meta.GetValueOrDefault(c.DocumentId) ?? [])).ToList();
    }

    public string? DocumentText(string documentId) =>
        Query("SELECT text FROM documents WHERE id=$d", r => r.GetString(0), ("$d", documentId)).FirstOrDefault();

    public Dictionary<string, string> DocumentHashesOfFile(string path) =>
        Query("SELECT id, hash FROM documents WHERE file=$f", r => (r.GetString(0), r.GetString(1)), ("$f", path)).ToDictionary(p => p.Item1, p => p.Item2);

    public FileRecord? GetFile(string path) =>
        Query("SELECT path,hash,size,mtime FROM files WHERE path=$p", r => new FileRecord(r.GetString(0), r.GetString(1), r.GetInt64(2),
            DateTimeOffset.Parse(r.GetString(3), CultureInfo.InvariantCulture)), ("$p", path)).FirstOrDefault();

    public List<string> FilePaths() => Query("SELECT path FROM files UNION SELECT DISTINCT file FROM documents", r => r.GetString(0));

    public List<long> AllChunkRowIds() => Query("SELECT rowid FROM chunks", r => r.GetInt64(0));

    public HashSet<long> RowIdsMatching(MetadataFilter filter)
    {
        var clauses = filter.Conditions.Select((p, i) => $"c.doc_id IN (SELECT doc_id FROM doc_meta WHERE key=$k{i} AND value=$v{i})").ToList();
        var args = filter.Conditions.SelectMany((p, i) => new[] { ($"$k{i}", (object?)p.Key), ($"$v{i}", (object?)p.Value) }).ToArray();
        var where = clauses.Count == 0 ? "" : "WHERE " + string.Join(" AND ", clauses);
        return [.. Query($"SELECT c.rowid FROM chunks c {where}", r => r.GetInt64(0), args)];
    }

    public List<StoredChunk> ChunksByKey(IEnumerable<string> chunkIds)
    {
        var result = new List<StoredChunk>();
        foreach (var slice in chunkIds.Distinct().Chunk(500))
        {
            var args = slice.Select((id, i) => ($"$c{i}", (object?)id)).ToArray();
            result.AddRange(Query($"SELECT {ChunkColumns} FROM chunks c JOIN documents d ON d.id=c.doc_id WHERE c.id IN ({string.Join(',', args.Select(a => a.Item1))})", ReadChunk, args));
        }
        return result;
    }

    public float[]? Embedding(long rowId) =>
        Query("SELECT embedding FROM chunks WHERE rowid=$r AND embedding IS NOT NULL", r => MemoryMarshal.Cast<byte, float>((byte[])r.GetValue(0)).ToArray(), ("$r", rowId)).FirstOrDefault();

    /// <summary>Streams (row id, embedding) of every embedded chunk.</summary>
    public IEnumerable<(long RowId, float[] Vector)> Embeddings()
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT rowid, embedding FROM chunks WHERE embedding IS NOT NULL";
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var bytes = (byte[])r.GetValue(1);
            yield return (r.GetInt64(0), MemoryMarshal.Cast<byte, float>(bytes).ToArray());
        }
    }

    /// <summary>Row ids of every embedded chunk.</summary>
    public List<long> EmbeddedRowIds() => Query("SELECT rowid FROM chunks WHERE embedding IS NOT NULL", r => r.GetInt64(0));

    /// <summary>(row id, embedding) of the given embedded chunks (ids without an embedding are skipped).</summary>
    public IEnumerable<(long RowId, float[] Vector)> Embeddings(IEnumerable<long> rowIds)
    {
        foreach (var slice in rowIds.Chunk(500))
            foreach (var row in Query($"SELECT rowid, embedding FROM chunks WHERE embedding IS NOT NULL AND rowid IN ({string.Join(',', slice)})",
                         r => (r.GetInt64(0), MemoryMarshal.Cast<byte, float>((byte[])r.GetValue(1)).ToArray())))
                yield return row;
    }

    public long Scalar(string sql) => Convert.ToInt64(Query(sql, r => r.IsDBNull(0) ? 0L : r.GetValue(0)).FirstOrDefault() ?? 0L, CultureInfo.InvariantCulture);
}
