using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Signage.Contracts;
using Signage.TestInfrastructure;

// Hub ingestion benchmark (docs/PERFORMANCE.md "Cloud hub ingestion"):
//   1. raw PostgreSQL: binary COPY of play-shaped rows into a temp table, then INSERT … ON CONFLICT DO NOTHING,
//      10,000 rows per transaction (the method of shared/MEASURED.md);
//   2. one appliance draining a one-week backlog through the real hub (POST /v1/sync/up, 5,000 per batch,
//      one batch at a time, as the appliance's sender does);
//   3. several appliances at once (fleet ingestion rate).
// A durable PostgreSQL cluster (fsync on) and the hub run on this machine beside the load generator.
var backlog = Arg("--backlog", 1_200_000);
var appliances = Arg("--appliances", 4);
var perAppliance = Arg("--per-appliance", 300_000);
var rawRows = Arg("--raw-rows", 1_000_000);
var inFlight = Arg("--in-flight", 1);
var warmUp = Arg("--warm-up", 40_000);
var randomIds = args.Contains("--ids") && args[Array.IndexOf(args, "--ids") + 1] == "random";

var postgres = await PostgresServer.StartAsync(durable: true);
try
{
    Console.WriteLine($"PostgreSQL on port {postgres.Port} (fsync on); hub {HubProcess.DllPath}; record ids {(randomIds ? "random (v4)" : "UUIDv7")}");
    await RawAsync(postgres, await postgres.CreateDatabaseAsync("raw"), rawRows);

    var connectionString = await postgres.CreateDatabaseAsync("hub");
    var dataDirectory = Directory.CreateTempSubdirectory("hub-bench-").FullName;
    await using var hub = await HubProcess.StartAsync(connectionString, dataDirectory);
    var api = await HubApiFor(hub);

    var drainer = await EnrollAsync(api, hub, "Drain");
    // A hub is a long-running service: let the JIT finish its tiered (re)compilation (it counts calls, so
    // many small batches), fill the connection pool and create the partitions before measuring.
    var warmer = await EnrollAsync(api, hub, "Warm");
    await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => SendAllAsync(hub, warmer, warmUp / 2, randomIds, batchSize: 50)));
    await SendAllAsync(hub, warmer, 50_000, randomIds);
    var cpu = Cpu.Read(hub, postgres);
    var drain = await SendAllAsync(hub, drainer, backlog, randomIds);
    Console.WriteLine($"hub, 1 appliance draining {backlog:N0} plays: {drain.TotalSeconds:F1} s = {backlog / drain.TotalSeconds:N0} records/s; {Cpu.Read(hub, postgres).Since(cpu, backlog)}");
    if (inFlight > 1)
    {
        // What an appliance sender that kept several batches in flight would get (the hub allows it: exactly-once
        // rests on record ids, not on arrival order); today's sender sends one batch at a time.
        var piped = await SendAllAsync(hub, drainer, backlog, randomIds, inFlight);
        Console.WriteLine($"hub, 1 appliance, {inFlight} batches in flight, {backlog:N0} plays: {piped.TotalSeconds:F1} s = {backlog / piped.TotalSeconds:N0} records/s");
    }

    var fleet = new List<string>();
    for (var i = 0; i < appliances; i++) fleet.Add(await EnrollAsync(api, hub, $"Fleet{i}"));
    cpu = Cpu.Read(hub, postgres);
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(fleet.Select(credential => SendAllAsync(hub, credential, perAppliance, randomIds)));
    clock.Stop();
    var total = (long)appliances * perAppliance;
    Console.WriteLine($"hub, {appliances} appliances at once, {total:N0} plays: {clock.Elapsed.TotalSeconds:F1} s = {total / clock.Elapsed.TotalSeconds:N0} records/s; {Cpu.Read(hub, postgres).Since(cpu, total)}");

    await using var check = new NpgsqlConnection(connectionString);
    await check.OpenAsync();
    await using var count = new NpgsqlCommand("SELECT count(*), (SELECT sum(plays) FROM play_daily) FROM play;", check);
    await using var reader = await count.ExecuteReaderAsync();
    await reader.ReadAsync();
    Console.WriteLine($"stored plays: {reader.GetInt64(0):N0}; daily aggregates count {reader.GetDecimal(1):N0}");
    // The raw limit again, so a change in machine load during the run shows.
    await RawAsync(postgres, await postgres.CreateDatabaseAsync("raw"), rawRows);
    Directory.Delete(dataDirectory, recursive: true);
}
finally
{
    postgres.Stop();
}
return 0;

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

static async Task<(TestTenant Tenant, HttpClient Client)> HubApiFor(HubProcess hub)
{
    var platform = await HubApi.LoginAsync(hub.Client, HubProcess.AdminEmail, HubProcess.AdminPassword);
    var tenant = await Send<TenantResponse>(hub.Client, HttpMethod.Post, "/v1/tenants", platform.AccessToken,
        new CreateTenantRequest("Bench", "bench@bench.test", "Bench", "bench-password"));
    var admin = await HubApi.LoginAsync(hub.Client, "bench@bench.test", "bench-password");
    return (new TestTenant(tenant.TenantId, "bench@bench.test", "bench-password", admin.AccessToken), hub.Client);
}

static async Task<string> EnrollAsync((TestTenant Tenant, HttpClient Client) api, HubProcess hub, string name)
{
    var venue = await Send<HubVenueResponse>(hub.Client, HttpMethod.Post, $"/v1/tenants/{api.Tenant.TenantId}/venues", api.Tenant.AdminToken,
        new HubVenueRequest(name, "Europe/London"));
    var code = await Send<EnrollmentCodeResponse>(hub.Client, HttpMethod.Post, $"/v1/tenants/{api.Tenant.TenantId}/venues/{venue.VenueId}/enrollment-codes",
        api.Tenant.AdminToken, null);
    var enrolled = await Send<EnrollResponse>(hub.Client, HttpMethod.Post, "/v1/enrollment/redeem", null,
        new EnrollRequest(code.Code, "app_" + name, "bench", new EnrollVenue("local", name, "Europe/London")));
    return enrolled.Credential;
}

static async Task<T> Send<T>(HttpClient client, HttpMethod method, string path, string? token, object? body)
{
    using var request = new HttpRequestMessage(method, path);
    if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    if (body is not null) request.Content = System.Net.Http.Json.JsonContent.Create(body, body.GetType(), options: HubApi.Json);
    using var response = await client.SendAsync(request);
    await HubApi.EnsureAsync(response);
    return (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<T>(response.Content, HubApi.Json))!;
}

// One appliance's outbox drained in 5,000-record batches, one at a time. Bodies are made from one
// serialized template by patching fresh ids into fixed-width placeholders (each record's recordId and
// its play's eventId, which are the same id, as in the appliance's outbox), so the load generator spends
// its CPU on copying bytes, not on JSON. Ids are UUIDv7 like the player's event ids (time-ordered, so
// the hub's unique index on record ids grows at its right edge); --ids random sends random v4 ids.
static async Task<TimeSpan> SendAllAsync(HubProcess hub, string credential, int records, bool randomIds, int inFlight = 1,
    int batchSize = SyncProtocol.MaxRecordsPerBatch)
{
    var template = Template(batchSize);
    var offsets = new int[batchSize * 2];
    for (int i = 0, at = 0; i < batchSize; i++)
    {
        var placeholder = Encoding.ASCII.GetBytes(Placeholder(i));
        for (var copy = 0; copy < 2; copy++)
        {
            at += template.AsSpan(at).IndexOf(placeholder);
            offsets[i * 2 + copy] = at;
            at += placeholder.Length;
        }
    }
    var clock = Stopwatch.StartNew();
    var batches = (records + batchSize - 1) / batchSize;
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
    {
        while (Interlocked.Increment(ref next) < batches)
        {
            var body = (byte[])template.Clone();
            for (var i = 0; i < batchSize; i++)
            {
                var id = randomIds ? Guid.NewGuid() : Guid.CreateVersion7();
                id.TryFormat(body.AsSpan(offsets[i * 2], 36), out _, "D");
                body.AsSpan(offsets[i * 2], 36).CopyTo(body.AsSpan(offsets[i * 2 + 1], 36));
            }
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/sync/up") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
            using var response = await hub.Client.SendAsync(request);
            await HubApi.EnsureAsync(response);
        }
    }));
    return clock.Elapsed;
}

static string Placeholder(int i) => i.ToString("D36", CultureInfo.InvariantCulture);

static byte[] Template(int batchSize)
{
    var records = new SyncRecord[batchSize];
    for (var i = 0; i < records.Length; i++)
    {
        var id = Placeholder(i);
        var day = $"2026-11-{16 + i % 7:D2}"; // one week
        var started = $"{day}T{8 + i % 14:D2}:{i % 60:D2}:00Z";
        var play = new PlayRecord(id, "PLAY_END", $"dev_{i % 10}", i % 3 == 0 ? null : $"cmp_{i % 3}", "pl_1", $"ast_{i % 20}",
            "9f2c5b1e8a7d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3", started, started, started, day, 10_000, "COMPLETED", false);
        records[i] = new SyncRecord(id, SyncProtocol.RecordKinds.Play, started, JsonSerializer.SerializeToElement(play, ContractsJsonContext.Default.PlayRecord));
    }
    return JsonSerializer.SerializeToUtf8Bytes(new SyncUpRequest(records, 0), ContractsJsonContext.Default.SyncUpRequest);
}

// The PostgreSQL limit on this machine: binary COPY + INSERT … ON CONFLICT DO NOTHING, 10,000 rows per transaction.
static async Task RawAsync(PostgresServer postgres, string connectionString, int rows)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await Execute(connection, """
        CREATE TABLE play_raw (venue_id text, record_id text, local_date date, device_id text, campaign_id text, asset_id text,
            started_at timestamptz, duration_ms bigint, PRIMARY KEY (venue_id, record_id));
        CREATE TEMP TABLE play_stage (record_id text, local_date date, device_id text, campaign_id text, asset_id text, started_at timestamptz, duration_ms bigint)
            ON COMMIT DELETE ROWS;
        """);
    const int batch = 10_000;
    var cpu = Cpu.Read(null, postgres);
    var clock = Stopwatch.StartNew();
    for (var start = 0; start < rows; start += batch)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var copy = await connection.BeginBinaryImportAsync("COPY play_stage FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = start; i < start + batch; i++)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync($"rec-{i:D9}", NpgsqlDbType.Text);
                await copy.WriteAsync(new DateOnly(2026, 11, 16 + i % 7), NpgsqlDbType.Date);
                await copy.WriteAsync($"dev_{i % 10}", NpgsqlDbType.Text);
                await copy.WriteAsync($"cmp_{i % 3}", NpgsqlDbType.Text);
                await copy.WriteAsync($"ast_{i % 20}", NpgsqlDbType.Text);
                await copy.WriteAsync(new DateTime(2026, 11, 16, 12, 0, 0, DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(10_000L, NpgsqlDbType.Bigint);
            }
            await copy.CompleteAsync();
        }
        await Execute(connection, "INSERT INTO play_raw SELECT 'ven_1', * FROM play_stage ON CONFLICT DO NOTHING;", transaction);
        await transaction.CommitAsync();
    }
    clock.Stop();
    Console.WriteLine($"raw PostgreSQL COPY + ON CONFLICT, {rows:N0} rows: {clock.Elapsed.TotalSeconds:F1} s = {rows / clock.Elapsed.TotalSeconds:N0} rows/s; {Cpu.Read(null, postgres).Since(cpu, rows)}");
}

static async Task Execute(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null)
{
    await using var command = new NpgsqlCommand(sql, connection, transaction);
    await command.ExecuteNonQueryAsync();
}

/// <summary>
/// CPU time (user + system) of the hub process, of the PostgreSQL cluster (the postmaster, its live children,
/// and the children it has reaped) and of this load generator. On a loaded machine wall-clock rates mostly
/// measure the share of the cores the benchmark got; CPU per record is what the code costs.
/// </summary>
readonly record struct Cpu(double Hub, double Postgres, double Client)
{
    public static Cpu Read(HubProcess? hub, PostgresServer postgres)
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(postgres.DataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        double cluster = Seconds(postmaster, withReapedChildren: true);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == postmaster) continue;
            if (Stat(pid) is { } stat && stat[1] == postmaster.ToString(CultureInfo.InvariantCulture)) cluster += Seconds(pid, withReapedChildren: false);
        }
        return new Cpu(hub is null ? 0 : Seconds(hub.ProcessId, withReapedChildren: false), cluster, Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);
    }

    public string Since(Cpu before, long records)
    {
        double PerThousand(double seconds) => seconds * 1000 * 1000 / records;
        return $"CPU per 1,000 records: hub {PerThousand(Hub - before.Hub):F1} ms, PostgreSQL {PerThousand(Postgres - before.Postgres):F1} ms, load generator {PerThousand(Client - before.Client):F1} ms";
    }

    /// <summary>Fields of /proc/PID/stat after the command name: [0] state, [1] ppid, … [11] utime, [12] stime, [13] cutime, [14] cstime.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static double Seconds(int pid, bool withReapedChildren)
    {
        if (Stat(pid) is not { } stat) return 0;
        var ticks = long.Parse(stat[11], CultureInfo.InvariantCulture) + long.Parse(stat[12], CultureInfo.InvariantCulture);
        if (withReapedChildren) ticks += long.Parse(stat[13], CultureInfo.InvariantCulture) + long.Parse(stat[14], CultureInfo.InvariantCulture);
        return ticks / 100.0; // USER_HZ
    }
}
