using Tyto.Actors.Persistence;

namespace Tyto.Actors.Tests;

/// <summary>
/// A <see cref="TytoDatabase"/> of its own for one test, on either provider, created as the server creates it: a
/// SQLite file in a temporary directory, or a fresh database on the test run's <see cref="PostgresServer"/>.
/// Both are deleted when disposed.
/// </summary>
public sealed class TestDatabase : IDisposable
{
    private readonly PostgresDatabase? _postgres;

    public TestDatabase(string provider, string prefix = "tyto-test-")
    {
        var directory = Directory.CreateTempSubdirectory(prefix).FullName;
        if (provider == TytoDatabase.Postgres)
        {
            _postgres = PostgresServer.CreateDatabase();
            Database = new TytoDatabase(directory, new TytoOptions.DatabaseOptions { Provider = provider, ConnectionString = _postgres.ConnectionString });
        }
        else
        {
            Database = new TytoDatabase(directory);
        }
        Database.EnsureCreated();
    }

    public TytoDatabase Database { get; }

    public void Dispose()
    {
        Directory.Delete(Database.DataDirectory, recursive: true);
        _postgres?.Dispose();
    }
}
