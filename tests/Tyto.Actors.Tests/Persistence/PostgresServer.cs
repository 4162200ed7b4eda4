using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Tyto.Actors.Tests;

/// <summary>
/// One throwaway PostgreSQL server per test assembly, started on first use: initdb into a temporary directory, the
/// server on a free loopback port with trust authentication. A watchdog shell stops it and deletes the directory as
/// soon as the test process is gone, however it ended (a test host is often killed rather than left to exit).
/// Its binaries are those of <c>$TYTO_POSTGRES_BIN</c>, else of the newest <c>/usr/lib/postgresql/*/bin</c>; without
/// them every test that asks for a database fails, saying so. initdb refuses root, so as root (CI) the server runs
/// as <c>nobody</c>.
/// </summary>
internal sealed class PostgresServer
{
    private const string Superuser = "postgres";

    /// <summary>
    /// Runs the server (its output in <c>log</c> of the directory) until the test process ($1) or the server ends,
    /// then stops it fast and deletes the directory ($2).
    /// </summary>
    private const string Watchdog = """
        parent=$1 dir=$2
        shift 2
        "$@" > "$dir/log" 2>&1 &
        server=$!
        while kill -0 "$parent" 2>/dev/null && kill -0 "$server" 2>/dev/null; do sleep 0.2; done
        kill -INT "$server" 2>/dev/null
        wait "$server"
        rm -rf "$dir"
        """;

    private static readonly Lazy<PostgresServer> Shared = new(Start);

    private static int _databases;

    private PostgresServer(int port)
    {
        Port = port;
    }

    public int Port { get; }

    /// <summary>A new, empty database on the shared server; dropped when disposed.</summary>
    public static PostgresDatabase CreateDatabase()
    {
        var server = Shared.Value;
        var name = $"tyto_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        server.Administer($"CREATE DATABASE {name}");
        return new PostgresDatabase(server, name, server.ConnectionString(name));
    }

    internal string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={Superuser};Database={database};Include Error Detail=true";

    internal void Administer(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false");
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private static PostgresServer Start()
    {
        var bin = Binaries();
        var directory = Directory.CreateTempSubdirectory("tyto-postgres-").FullName;
        var asRoot = Environment.UserName == "root";
        var data = Path.Join(directory, "data");
        var port = FreePort();
        var watchdog = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["-c", Watchdog, "sh", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), directory])
            watchdog.ArgumentList.Add(argument);
        foreach (var argument in AsServerUser(Path.Join(bin, "postgres"), asRoot))
            watchdog.ArgumentList.Add(argument);
        foreach (var argument in (string[])[
            "-D", data, "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-k", directory,
            "-c", "fsync=off", "-c", "full_page_writes=off",
            "-c", "shared_buffers=32MB", "-c", "max_connections=500"])
            watchdog.ArgumentList.Add(argument);
        try
        {
            if (asRoot)
                Run(["chown", "nobody:nogroup", directory]);
            Run([.. AsServerUser(Path.Join(bin, "initdb"), asRoot), "-D", data, "-U", Superuser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }
        using var running = Process.Start(watchdog)!;
        var server = new PostgresServer(port);
        server.WaitUntilAccepting(running, Path.Join(directory, "log"));
        return server;
    }

    private void WaitUntilAccepting(Process watchdog, string log)
    {
        Poll.UntilAsync(() =>
        {
            if (watchdog.HasExited)
                throw new InvalidOperationException($"The test PostgreSQL server exited:\n{(File.Exists(log) ? File.ReadAllText(log) : "")}");
            try
            {
                Administer("SELECT 1");
                return true;
            }
            catch (NpgsqlException)
            {
                return false;
            }
        }, "the test PostgreSQL server accepts connections", TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
    }

    private static string Binaries()
    {
        if (Environment.GetEnvironmentVariable("TYTO_POSTGRES_BIN") is { Length: > 0 } configured)
            return File.Exists(Path.Join(configured, "initdb"))
                ? configured
                : throw new InvalidOperationException($"TYTO_POSTGRES_BIN '{configured}' holds no initdb.");
        var newest = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(dir => (Dir: dir, Version: int.TryParse(Path.GetFileName(dir), out var version) ? version : -1))
                .Where(v => v.Version >= 0 && File.Exists(Path.Join(v.Dir, "bin", "initdb")))
                .OrderByDescending(v => v.Version).Select(v => Path.Join(v.Dir, "bin")).FirstOrDefault()
            : null;
        return newest ?? throw new InvalidOperationException(
            "No PostgreSQL server binaries: set TYTO_POSTGRES_BIN to the directory of initdb and postgres, or install Debian's postgresql (./test.sh does).");
    }

    /// <summary>The command line that runs <paramref name="program"/> as the server's user: <c>nobody</c> when root.</summary>
    private static string[] AsServerUser(string program, bool asRoot) =>
        asRoot ? ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", program] : [program];

    private static void Run(string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in command[1..])
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{string.Join(' ', command)} exited with {process.ExitCode}:\n{output.Result}{error}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A database of its own for one test (or one test class) on the shared <see cref="PostgresServer"/>.</summary>
internal sealed class PostgresDatabase(PostgresServer server, string name, string connectionString) : IDisposable
{
    public string ConnectionString { get; } = connectionString;

    /// <summary>Drops the database, ending the connections its pools still hold.</summary>
    public void Dispose()
    {
        using (var connection = new NpgsqlConnection(ConnectionString))
            NpgsqlConnection.ClearPool(connection);
        server.Administer($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }
}
