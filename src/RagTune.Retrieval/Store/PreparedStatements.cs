using Microsoft.Data.Sqlite;

namespace RagTune.Retrieval.Store;

/// <summary>Commands of one transaction, each prepared once and re-run with new parameter values
/// (<see cref="PreparedStatement.With"/>); disposing disposes them all.</summary>
internal sealed class PreparedStatements(SqliteConnection connection, SqliteTransaction transaction) : IDisposable
{
    readonly List<SqliteCommand> _commands = [];

    /// <summary>A prepared command for <paramref name="sql"/> whose parameters are <paramref name="names"/>, in order.</summary>
    public PreparedStatement Get(string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in names) command.Parameters.Add(new SqliteParameter { ParameterName = name, Value = DBNull.Value });
        command.Prepare();
        _commands.Add(command);
        return new PreparedStatement(command);
    }

    public void Dispose()
    {
        foreach (var command in _commands) command.Dispose();
    }
}

/// <summary>A prepared command; <see cref="With"/> sets every parameter (null → SQL NULL) and returns the command.</summary>
internal readonly struct PreparedStatement(SqliteCommand command)
{
    public SqliteCommand With(params object?[] values)
    {
        var parameters = command.Parameters;
        for (var i = 0; i < values.Length; i++) parameters[i].Value = values[i] ?? DBNull.Value;
        return command;
    }

    public object? ExecuteScalar() => command.ExecuteScalar();
}
