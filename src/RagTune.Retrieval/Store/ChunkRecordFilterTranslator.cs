using System.Linq.Expressions;

namespace RagTune.Retrieval.Store;

/// <summary>
/// Turns a VectorData filter over <see cref="ChunkRecord"/> into a <see cref="MetadataFilter"/> SQLite can answer, so
/// the filter runs inside the vector search (the <see cref="Vectors.IVectorIndex"/> filter callback) instead of on an
/// over-fetched candidate list. Understood: <c>&amp;&amp;</c> of equalities between <see cref="ChunkRecord.DocumentId"/>,
/// <see cref="ChunkRecord.SourcePath"/> or <see cref="ChunkRecord.Title"/> and a value (a constant or a captured
/// variable) — the fields stored as filter pairs. Anything else is not translated and the caller post-filters.
/// </summary>
internal static class ChunkRecordFilterTranslator
{
    public static bool TryTranslate(Expression<Func<ChunkRecord, bool>> filter, out MetadataFilter translated)
    {
        var conditions = new Dictionary<string, string>(StringComparer.Ordinal);
        var ok = Collect(filter.Body, filter.Parameters[0], conditions);
        translated = new MetadataFilter(conditions);
        return ok && conditions.Count > 0;
    }

    static bool Collect(Expression e, ParameterExpression record, Dictionary<string, string> conditions)
    {
        switch (e)
        {
            case BinaryExpression { NodeType: ExpressionType.AndAlso } and:
                return Collect(and.Left, record, conditions) && Collect(and.Right, record, conditions);
            case BinaryExpression { NodeType: ExpressionType.Equal } eq:
                if (!TryField(eq.Left, record, out var key) || !TryValue(eq.Right, record, out var value))
                    if (!TryField(eq.Right, record, out key) || !TryValue(eq.Left, record, out value)) return false;
                // x == a && x == b with a != b matches nothing; a dictionary cannot say that, so leave it to the post-filter.
                if (value is null || (conditions.TryGetValue(key, out var existing) && existing != value)) return false;
                conditions[key] = value;
                return true;
            default:
                return false;
        }
    }

    static bool TryField(Expression e, ParameterExpression record, out string key)
    {
        key = e is MemberExpression { Member.Name: var name } m && m.Expression == record ? name switch
        {
            nameof(ChunkRecord.DocumentId) => "doc",
            nameof(ChunkRecord.SourcePath) => "source",
            nameof(ChunkRecord.Title) => "title",
            _ => "",
        } : "";
        return key.Length > 0;
    }

    /// <summary>A string computed without the record (a constant or a captured variable), evaluated now.</summary>
    static bool TryValue(Expression e, ParameterExpression record, out string? value)
    {
        value = null;
        if (e.Type != typeof(string) || new ParameterFinder(record).Uses(e)) return false;
        value = e is ConstantExpression c ? (string?)c.Value : Expression.Lambda<Func<string?>>(e).Compile()();
        return true;
    }

    sealed class ParameterFinder(ParameterExpression parameter) : ExpressionVisitor
    {
        bool _found;

        public bool Uses(Expression e) { Visit(e); return _found; }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            _found |= node == parameter;
            return node;
        }
    }
}
