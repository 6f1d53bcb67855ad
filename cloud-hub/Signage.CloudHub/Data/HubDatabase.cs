using Npgsql;

namespace Signage.CloudHub.Data;

/// <summary>The hub's PostgreSQL database: one pooled data source per process.</summary>
public sealed class HubDatabase(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    public static HubDatabase Connect(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.ApplicationName ??= "signage-hub";
        return new HubDatabase(builder.Build());
    }

    /// <summary>For the few synchronous callers (ASP.NET Core's data-protection key store).</summary>
    public NpgsqlConnection Open() => dataSource.OpenConnection();

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken = default) => dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one transaction and commits it; nothing is kept when it throws.</summary>
    public async Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();
}
