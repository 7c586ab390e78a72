using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using LuceneDirectory = Lucene.Net.Store.Directory;
using FSDirectory = Lucene.Net.Store.FSDirectory;

namespace RagTune.Retrieval.Store;

/// <summary>
/// The Lucene.Net half of a knowledge base (<c>lucene/</c>): one Lucene document per chunk with its row id
/// (stored, the join key to SQLite), its text (analysed, BM25) and <c>meta.*</c> keyword fields for filters. A writer
/// instance holds Lucene's write lock and refreshes a near-real-time searcher after each commit; a read-only
/// instance reopens the directory when another process has committed. Each commit records the SQLite sequence
/// number it matches, which is how opening detects a crash between the two commits.
/// </summary>
internal sealed class LuceneChunkIndex : IDisposable
{
    public const string RowIdField = "rowid";
    public const string TextField = "text";
    public const string DocField = "meta.doc";
    const string SequenceKey = "ragtune.seq";

    readonly LuceneDirectory _directory;
    readonly Analyzer _analyzer = Bm25Settings.CreateAnalyzer();
    readonly IndexWriter? _writer;
    readonly SearcherManager? _searchers;
    readonly object _readerLock = new();
    DirectoryReader? _reader;

    public LuceneChunkIndex(string path, bool readOnly)
    {
        System.IO.Directory.CreateDirectory(path);
        _directory = FSDirectory.Open(path);
        if (readOnly) return;
        var config = new IndexWriterConfig(Bm25Settings.Version, _analyzer)
        {
            OpenMode = OpenMode.CREATE_OR_APPEND,
            Similarity = Bm25Settings.CreateSimilarity(),
            RAMBufferSizeMB = 64,
        };
        _writer = new IndexWriter(_directory, config);
        _searchers = new SearcherManager(_writer, true, new Bm25SearcherFactory());
    }

    /// <summary>The SQLite sequence number of the last Lucene commit (0 for a new index).</summary>
    public long CommittedSequence
    {
        get
        {
            if (!DirectoryReader.IndexExists(_directory)) return 0;
            var commit = DirectoryReader.ListCommits(_directory).Last();
            return commit.UserData.TryGetValue(SequenceKey, out var s) ? long.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 0;
        }
    }

    static Document ToDocument(StoredChunk chunk, IEnumerable<(string Key, string Value)> meta)
    {
        var doc = new Document
        {
            new StringField(RowIdField, chunk.RowId.ToString(System.Globalization.CultureInfo.InvariantCulture), Field.Store.YES),
            new TextField(TextField, chunk.Text, Field.Store.NO),
        };
        foreach (var (key, value) in meta) doc.Add(new StringField("meta." + key, value, Field.Store.NO));
        return doc;
    }

    public void Delete(IEnumerable<long> rowIds)
    {
        var writer = Writer;
        foreach (var slice in rowIds.Chunk(512))
            writer.DeleteDocuments(slice.Select(id => new Term(RowIdField, id.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray());
    }

    public void Add(IEnumerable<(StoredChunk Chunk, List<(string Key, string Value)> Meta)> chunks)
    {
        var writer = Writer;
        foreach (var (chunk, meta) in chunks) writer.AddDocument(ToDocument(chunk, meta));
    }

    /// <summary>Commits, recording <paramref name="sequence"/>, and makes the changes visible to searches.</summary>
    public void Commit(long sequence)
    {
        var writer = Writer;
        writer.SetCommitData(new Dictionary<string, string> { [SequenceKey] = sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        writer.Commit();
        _searchers!.MaybeRefreshBlocking();
    }

    /// <summary>Row ids of every live Lucene document (for reconciliation).</summary>
    public HashSet<long> AllRowIds()
    {
        var ids = new HashSet<long>();
        WithSearcher(searcher =>
        {
            var reader = searcher.IndexReader;
            var live = MultiFields.GetLiveDocs(reader);
            var fields = new HashSet<string> { RowIdField };
            for (var i = 0; i < reader.MaxDoc; i++)
                if (live is null || live.Get(i)) ids.Add(long.Parse(reader.Document(i, fields).Get(RowIdField), System.Globalization.CultureInfo.InvariantCulture));
            return 0;
        });
        return ids;
    }

    public int Count => WithSearcher(s => s.IndexReader.NumDocs);

    /// <summary>The analysed terms of <paramref name="text"/> (what BM25 matches).</summary>
    public List<string> Analyze(string text)
    {
        var terms = new List<string>();
        using var stream = _analyzer.GetTokenStream(TextField, new StringReader(text));
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken()) terms.Add(term.ToString());
        stream.End();
        return terms;
    }

    /// <summary>BM25 top hits: row id and Lucene's score.</summary>
    public List<(long RowId, float Score)> Search(Query query, Filter? filter, int k) => WithSearcher(searcher =>
    {
        var top = searcher.Search(query, filter, Math.Max(1, k));
        var fields = new HashSet<string> { RowIdField };
        return top.ScoreDocs.Select(d => (long.Parse(searcher.Doc(d.Doc, fields).Get(RowIdField), System.Globalization.CultureInfo.InvariantCulture), d.Score)).ToList();
    });

    T WithSearcher<T>(Func<IndexSearcher, T> action)
    {
        if (_searchers is not null)
        {
            var searcher = _searchers.Acquire();
            try { return action(searcher); }
            finally { _searchers.Release(searcher); }
        }
        DirectoryReader? reader;
        lock (_readerLock)
        {
            // Read-only: pick up commits of the writing process; a missing index is an empty one.
            if (_reader is null)
            {
                if (!DirectoryReader.IndexExists(_directory)) return action(new IndexSearcher(new MultiReader()) { Similarity = Bm25Settings.CreateSimilarity() });
                _reader = DirectoryReader.Open(_directory);
            }
            else if (DirectoryReader.OpenIfChanged(_reader) is { } newer)
            {
                // The old reader may be in use by a concurrent search; leave it to the GC rather than risk disposing it.
                _reader = newer;
            }
            reader = _reader;
        }
        return action(new IndexSearcher(reader) { Similarity = Bm25Settings.CreateSimilarity() });
    }

    IndexWriter Writer => _writer ?? throw new InvalidOperationException("The knowledge base was opened read-only.");

    public void Dispose()
    {
        _searchers?.Dispose();
        _writer?.Dispose();
        _reader?.Dispose();
        _analyzer.Dispose();
        _directory.Dispose();
    }

    sealed class Bm25SearcherFactory : SearcherFactory
    {
        public override IndexSearcher NewSearcher(IndexReader reader) => new(reader) { Similarity = Bm25Settings.CreateSimilarity() };
    }
}
