using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Signage.TestInfrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster (Debian's <c>postgresql</c> package) on a free loopback port, one
/// per test process, stopped when the process exits. initdb refuses to run as root, so as root the
/// cluster belongs to the system user <c>signage-test</c> (created once with useradd). Each test
/// class asks for its own database (<see cref="CreateDatabaseAsync"/>), so tests never share data.
/// </summary>
public sealed class PostgresServer
{
    public const string TestUser = "signage-test";

    private static readonly SemaphoreSlim StartLock = new(1, 1);
    private static PostgresServer? _shared;

    private readonly string _root;
    private readonly string _bin;
    private readonly bool _asTestUser;

    private readonly string _fsync;

    private PostgresServer(string root, string bin, int port, bool asTestUser, string fsync)
    {
        _root = root;
        _bin = bin;
        Port = port;
        _asTestUser = asTestUser;
        _fsync = fsync;
    }

    public int Port { get; }

    public string DataDirectory => Path.Combine(_root, "data");

    /// <summary>Connection string of a database on this server (superuser <c>postgres</c>, trust auth on loopback).</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=50;Timeout=15";

    /// <summary>The process-wide server, started on first use.</summary>
    public static async Task<PostgresServer> SharedAsync()
    {
        await StartLock.WaitAsync();
        try
        {
            if (_shared is null)
            {
                _shared = await StartAsync();
                var server = _shared;
                AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
            }
            return _shared;
        }
        finally
        {
            StartLock.Release();
        }
    }

    /// <summary>A new empty database with a unique name; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)].ToLowerInvariant();
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\";", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <param name="durable">false (tests): fsync off. true (benchmarks): PostgreSQL's durable defaults.</param>
    public static async Task<PostgresServer> StartAsync(bool durable = false)
    {
        var bin = FindBinaries();
        var asTestUser = Environment.UserName == "root" || geteuid() == 0;
        RemoveAbandonedClusters();
        var root = Directory.CreateTempSubdirectory("signage-pg-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "socket"));
        if (asTestUser)
        {
            await RunAsync("/bin/sh", ["-c", $"id -u {TestUser} >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin {TestUser}"]);
            await RunAsync("chown", ["-R", $"{TestUser}:", root]);
        }
        var port = FreePort();
        // Durability is not under test (it is the production server's setting): fsync off keeps tests fast.
        var server = new PostgresServer(root, bin, port, asTestUser, durable ? "on" : "off");
        await server.RunPostgresToolAsync("initdb", ["-D", server.DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again, after <see cref="StopKeepingDataAsync"/>) on the same port and data.</summary>
    public Task StartAgainAsync() => RunPostgresToolAsync("pg_ctl", ["-D", DataDirectory, "-l", Path.Combine(_root, "postgres.log"), "-w", "-t", "60", "-o",
        $"-p {Port} -k {Path.Combine(_root, "socket")} -c listen_addresses=127.0.0.1 -c fsync={_fsync} -c max_connections=200", "start"]);

    /// <summary>Stops the server at once (an outage: open connections are cut), keeping its data for <see cref="StartAgainAsync"/>.
    /// Only for a server of the test's own (<see cref="StartAsync"/>), never the shared one other tests use.</summary>
    public Task StopKeepingDataAsync() => RunPostgresToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);

    /// <summary>Stops the server at once and removes its files.</summary>
    public void Stop()
    {
        try
        {
            RunPostgresToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]).GetAwaiter().GetResult();
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>A test process that was killed never ran its exit handler: remove clusters that are not
    /// running (no postmaster.pid) and are old enough not to be one another process is setting up now.</summary>
    private static void RemoveAbandonedClusters()
    {
        foreach (var directory in new DirectoryInfo(Path.GetTempPath()).EnumerateDirectories("signage-pg-*"))
        {
            if (DateTime.UtcNow - directory.CreationTimeUtc < TimeSpan.FromMinutes(10)) continue;
            if (File.Exists(Path.Combine(directory.FullName, "data", "postmaster.pid"))) continue;
            try { directory.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private Task RunPostgresToolAsync(string tool, IReadOnlyList<string> arguments) => _asTestUser
        ? RunAsync("runuser", ["-u", TestUser, "--", Path.Combine(_bin, tool), .. arguments])
        : RunAsync(Path.Combine(_bin, tool), arguments);

    private static string FindBinaries()
    {
        var versions = Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [];
        var bin = versions.Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
            .OrderByDescending(b => b, StringComparer.Ordinal).FirstOrDefault();
        return bin ?? throw new InvalidOperationException("PostgreSQL is not installed: apt-get install postgresql (test.sh does it).");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}\n{await error}");
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();
}
