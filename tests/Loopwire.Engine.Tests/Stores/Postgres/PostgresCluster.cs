using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Loopwire.Tests.Postgres;

/// <summary>
/// A throwaway PostgreSQL cluster for tests: <c>initdb</c> and <c>pg_ctl</c> from the newest
/// <c>/usr/lib/postgresql/*/bin</c>, a free loopback port and a temporary directory that is removed afterwards.
/// </summary>
/// <remarks>
/// initdb refuses to run as root, so as root the binaries run through <c>runuser -u postgres --</c> on a directory
/// owned by that user (the Debian package creates it). When the binaries are missing, <see cref="SkipReason"/> says
/// so and tests skip, except under <c>CI=true</c>, where they run and fail: CI must not pass without PostgreSQL.
/// </remarks>
public sealed class PostgresCluster : IAsyncLifetime
{
    private const string RunAs = "postgres";
    private static readonly string? BinDirectory = FindBinDirectory();
    private string? _root;
    private string? _data;
    private int _port;
    private int _databases;

    /// <summary>Why PostgreSQL tests skip here, or null when they run (binaries found, or CI=true).</summary>
    public static string? SkipReason { get; } =
        BinDirectory is null && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? "PostgreSQL is not installed (no initdb/pg_ctl under /usr/lib/postgresql/*/bin); install the 'postgresql' package to run these tests."
            : null;

    /// <summary>The superuser connection string of the <c>postgres</c> database.</summary>
    public string AdminConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = "postgres",
        Timeout = 5,
    }.ConnectionString;

    /// <summary>The loopback TCP port the cluster listens on.</summary>
    public int Port => _data is null ? throw new InvalidOperationException(MissingMessage) : _port;

    private static string MissingMessage =>
        "PostgreSQL binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin; CI=true requires them (apt-get install postgresql).";

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        if (BinDirectory is null)
        {
            return;
        }

        _root = Path.Combine(Path.GetTempPath(), $"loopwire-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_root);
        string data = Path.Combine(_root, "data");
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", ["-R", $"{RunAs}:", _root], asPostgres: false).ConfigureAwait(false);
        }

        await RunAsync(Path.Combine(BinDirectory, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"])
            .ConfigureAwait(false);
        _port = FreePort();
        _data = data;
        await StartAsync().ConfigureAwait(false);
    }

    /// <summary>Starts the cluster (again) on its port and waits until it accepts connections.</summary>
    /// <remarks>Clears the tests' own connection pools, whose idle connections died with the previous run.</remarks>
    public Task StartAsync()
    {
        NpgsqlConnection.ClearAllPools();
        string data = _data ?? throw new InvalidOperationException(MissingMessage);
        string options = string.Create(CultureInfo.InvariantCulture,
            $"-p {_port} -k {_root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        return RunAsync(Path.Combine(BinDirectory!, "pg_ctl"), ["-D", data, "-o", options, "-l", Path.Combine(_root!, "log"), "-w", "start"]);
    }

    /// <summary>Stops the cluster at once (clients see their connections die) and waits until it is down.</summary>
    public Task StopAsync()
    {
        string data = _data ?? throw new InvalidOperationException(MissingMessage);
        return RunAsync(Path.Combine(BinDirectory!, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"]);
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? password = null)
    {
        string name = $"lw_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..24];
        var admin = new NpgsqlConnection(AdminConnectionString);
        await using (admin.ConfigureAwait(false))
        {
            await admin.OpenAsync().ConfigureAwait(false);
            using var cmd = new NpgsqlCommand($"CREATE DATABASE {name};", admin);
            await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Password = password }.ConnectionString;
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_root is null)
        {
            return;
        }

        if (_data is not null)
        {
            try
            {
                await RunAsync(Path.Combine(BinDirectory!, "pg_ctl"), ["-D", _data, "-m", "immediate", "-w", "stop"]).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // Already stopped by a test.
            }
        }

        NpgsqlConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private static string? FindBinDirectory()
    {
        const string Root = "/usr/lib/postgresql";
        if (!Directory.Exists(Root))
        {
            return null;
        }

        return Directory.EnumerateDirectories(Root)
            .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out int v) ? v : -1))
            .Where(x => File.Exists(Path.Combine(x.Dir, "initdb")) && File.Exists(Path.Combine(x.Dir, "pg_ctl")))
            .OrderByDescending(x => x.Version)
            .Select(x => x.Dir)
            .FirstOrDefault();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task RunAsync(string file, string[] args) => RunAsync(file, args, asPostgres: Environment.UserName == "root");

    private static async Task RunAsync(string file, string[] args, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres)
        {
            foreach (string a in (string[])["-u", RunAs, "--", file])
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(file)} exited with {process.ExitCode}: {await stderr.ConfigureAwait(false)}{await stdout.ConfigureAwait(false)}");
        }
    }
}

/// <summary>All PostgreSQL tests of an assembly share one cluster.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>
{
    /// <summary>The collection name.</summary>
    public const string Name = "postgres";
}

/// <summary>A fact that needs PostgreSQL: skipped with <see cref="PostgresCluster.SkipReason"/> when it is missing outside CI.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute.</summary>
    public PostgresFactAttribute() => Skip = PostgresCluster.SkipReason;
}
