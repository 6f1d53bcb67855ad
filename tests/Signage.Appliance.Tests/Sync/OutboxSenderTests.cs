using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using NodaTime.Testing;
using Polly.CircuitBreaker;
using Signage.Appliance.Data;
using Signage.Appliance.Devices;
using Signage.Appliance.Sync;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;

namespace Signage.Appliance.Tests.Sync;

/// <summary>
/// The outbox sender against a hub double on real loopback HTTP (the real hub is exercised by the
/// end-to-end tests): oldest first, in batches, rows deleted only after a 2xx, and an
/// acknowledgement lost after the hub stored a batch costs a resend, never a loss or a double.
/// </summary>
public sealed class OutboxSenderTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 11, 23, 12, 0));
    private readonly Database _database;
    private readonly HubDouble _hub = new();

    public OutboxSenderTests() => _database = new Database(_temp.Combine("appliance.db"));

    public async Task InitializeAsync()
    {
        Migrator.Migrate(_database);
        using (var connection = _database.Open())
        {
            connection.Execute("""
                INSERT INTO tenant (tenant_id, name, created_at_utc) VALUES ('ten_1', 'T', '2026-11-01T00:00:00.000Z');
                INSERT INTO venue (venue_id, tenant_id, name, timezone, created_at_utc, updated_at_utc) VALUES ('ven_1', 'ten_1', 'V', 'Europe/London', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
                DELETE FROM outbox;
                """, null);
        }
        await _hub.StartAsync();
        using (var connection = _database.Open())
        {
            connection.Execute("""
                INSERT INTO hub_connection (singleton, hub_url, credential, appliance_id, hub_tenant_id, hub_venue_id, venue_id, enrolled_at_utc)
                VALUES (1, $url, 'secret-credential', 'app_1', 'hten_1', 'hven_1', 'ven_1', '2026-11-23T00:00:00.000Z');
                """, null, ("$url", _hub.Url));
        }
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    private OutboxSender Sender(int batchSize) =>
        new(_database, new HubClient(new HttpClient { Timeout = TimeSpan.FromSeconds(10) }),
            new SyncSettings(TimeSpan.FromSeconds(1), batchSize, TimeSpan.FromSeconds(10), 2, TimeSpan.FromSeconds(5), 30),
            new ScreenPresence(new ConfigurationBuilder().Build(), _clock), _clock);

    private HubConnection Hub()
    {
        using var connection = _database.Open();
        return HubConnection.Load(connection)!;
    }

    private void Plays(int count)
    {
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        for (var i = 0; i < count; i++)
        {
            connection.Execute("""
                INSERT INTO proof_of_play (event_id, event_type, device_id, venue_id, playlist_id, asset_id, device_time_utc, server_received_utc, started_at_utc, local_date, duration_ms, result)
                VALUES ($id, 'PLAY_END', 'dev_1', 'ven_1', 'pls_1', 'ast_1', '2026-11-20T12:00:00.000Z', '2026-11-20T12:00:00.000Z', '2026-11-20T12:00:00.000Z', '2026-11-20', 10000, 'COMPLETED');
                """, transaction, ("$id", $"00000000-0000-4000-8000-{i:D12}"));
        }
        transaction.Commit();
    }

    private long Backlog()
    {
        using var connection = _database.Open();
        return HubConnection.Backlog(connection);
    }

    [Fact]
    public async Task Drains_oldest_first_in_batches_with_the_credential_and_empties_the_outbox()
    {
        Plays(25);
        var result = await Sender(batchSize: 10).DrainAsync(Hub(), SyncService.BuildPipeline(Settings(), NullLogger.Instance), default);

        Assert.Equal((25L, 25L, 0L), (result.Sent, result.Accepted, result.Duplicates));
        Assert.Equal([10, 10, 5], _hub.BatchSizes);
        Assert.Equal([15L, 5L, 0L], _hub.Backlogs);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"00000000-0000-4000-8000-{i:D12}"), _hub.Order);
        Assert.All(_hub.Credentials, c => Assert.Equal("Bearer secret-credential", c));
        Assert.Equal(0, Backlog());
    }

    [Fact]
    public async Task A_batch_the_hub_stored_but_did_not_acknowledge_is_sent_again_and_nothing_is_lost_or_doubled()
    {
        Plays(12);
        _hub.StoreThenFail = 1; // the hub commits the first batch, then the answer is lost (503)
        var result = await Sender(batchSize: 5).DrainAsync(Hub(), SyncService.BuildPipeline(Settings(), NullLogger.Instance), default);

        Assert.Equal(0, Backlog());
        Assert.Equal(12, _hub.Stored.Count);
        Assert.Equal(5L, result.Duplicates);          // the resent first batch
        Assert.Equal(17, _hub.Received);              // 12 + the 5 resent
    }

    [Fact]
    public async Task While_the_hub_is_down_nothing_is_deleted_and_the_circuit_opens()
    {
        Plays(7);
        await _hub.DisposeAsync();
        var pipeline = SyncService.BuildPipeline(Settings(), NullLogger.Instance);
        var sender = Sender(batchSize: 5);

        // Three attempts (two retries with backoff) fail; the fourth failure opens the circuit.
        await Assert.ThrowsAsync<HubException>(() => sender.DrainAsync(Hub(), pipeline, default));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => sender.DrainAsync(Hub(), pipeline, default));
        Assert.Equal(7, Backlog());
    }

    [Fact]
    public async Task A_refused_credential_is_not_retried_and_keeps_the_records()
    {
        Plays(3);
        _hub.Refuse = true;
        var error = await Assert.ThrowsAsync<HubException>(() => Sender(5).DrainAsync(Hub(), SyncService.BuildPipeline(Settings(), NullLogger.Instance), default));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.Status);
        Assert.Equal(1, _hub.Calls);
        Assert.Equal(3, Backlog());
    }

    [Fact]
    public async Task Replica_marks_are_sent_as_the_entity_json_of_the_appliance_api_and_vanished_entities_are_dropped()
    {
        using (var connection = _database.Open())
        {
            connection.Execute("""
                INSERT INTO device (device_id, tenant_id, venue_id, name, hardware_id, created_at_utc, updated_at_utc)
                VALUES ('dev_9', 'ten_1', 'ven_1', 'Door', 'hw9', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
                INSERT INTO incident (incident_id, venue_id, device_id, type, severity, opened_at_utc) VALUES ('inc_1', 'ven_1', 'dev_9', 'OFFLINE_DURING_HOURS', 'CRITICAL', '2026-11-20T12:00:00.000Z');
                INSERT INTO outbox (record_id, kind, entity_id, occurred_at_utc) VALUES ('scr_gone', 'SCREEN', 'dev_missing', '2026-11-20T12:00:00.000Z');
                """, null);
        }
        await Sender(10).DrainAsync(Hub(), SyncService.BuildPipeline(Settings(), NullLogger.Instance), default);

        Assert.Equal(0, Backlog());
        Assert.Equal(["SCREEN", "INCIDENT"], _hub.Kinds);
        Assert.Equal("Door", _hub.Data[0].GetProperty("name").GetString());
        Assert.Equal("OFFLINE_DURING_HOURS", _hub.Data[1].GetProperty("type").GetString());
    }

    private long Cursor()
    {
        using var connection = _database.Open();
        return connection.Scalar<long>("SELECT sent_through FROM play_upload;", null);
    }

    [Fact]
    public async Task Plays_go_up_as_PlayRecords_keyed_by_their_event_id_and_occurring_at_their_start()
    {
        using (var connection = _database.Open())
        {
            connection.Execute("""
                INSERT INTO proof_of_play (event_id, event_type, device_id, venue_id, campaign_id, playlist_id, asset_id, content_sha256, device_time_utc,
                    server_received_utc, started_at_utc, local_date, duration_ms, result, clock_suspect)
                VALUES ('e7a9c7f0-0000-4000-8000-000000000001', 'PLAY_END', 'dev_1', 'ven_1', NULL, 'pls_1', 'ast_1', 'abc', '2026-11-20T12:00:10.000Z',
                    '2026-11-20T12:00:11.000Z', '2026-11-20T12:00:00.000Z', '2026-11-20', 10000, 'COMPLETED', 1),
                       ('e7a9c7f0-0000-4000-8000-000000000002', 'PLAY_START', 'dev_1', 'ven_1', 'cmp_1', 'pls_1', 'ast_1', NULL, '2026-11-20T12:00:10.000Z',
                    '2026-11-20T12:00:11.000Z', '2026-11-20T12:00:05.000Z', '2026-11-20', NULL, NULL, 0);
                """, null);
        }
        await Sender(10).DrainAsync(Hub(), SyncService.BuildPipeline(Settings(), NullLogger.Instance), default);

        Assert.Equal([SyncProtocol.RecordKinds.Play, SyncProtocol.RecordKinds.Play], _hub.Kinds);
        Assert.Equal(new PlayRecord("e7a9c7f0-0000-4000-8000-000000000001", "PLAY_END", "dev_1", null, "pls_1", "ast_1", "abc", "2026-11-20T12:00:10.000Z",
            "2026-11-20T12:00:11.000Z", "2026-11-20T12:00:00.000Z", "2026-11-20", 10000, "COMPLETED", true), _hub.Data[0].Deserialize(ContractsJsonContext.Default.PlayRecord));
        Assert.Equal(new PlayRecord("e7a9c7f0-0000-4000-8000-000000000002", "PLAY_START", "dev_1", "cmp_1", "pls_1", "ast_1", null, "2026-11-20T12:00:10.000Z",
            "2026-11-20T12:00:11.000Z", "2026-11-20T12:00:05.000Z", "2026-11-20", null, null, false), _hub.Data[1].Deserialize(ContractsJsonContext.Default.PlayRecord));
        Assert.Equal("2026-11-20T12:00:00.000Z", _hub.OccurredAt[0]);
        Assert.Equal(2L, Cursor());
    }

    [Fact]
    public async Task A_drain_cut_off_after_the_hub_stored_a_batch_but_before_its_answer_resends_it_and_nothing_is_lost_or_doubled()
    {
        Plays(25);
        _hub.HangOnCall = 2; // the hub stores plays 11-20, then the appliance is cut off (as by kill -9) before the answer
        using (var cut = new CancellationTokenSource())
        {
            _ = _hub.Hung.Task.ContinueWith(_ => cut.Cancel(), TaskScheduler.Default);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Sender(10).DrainAsync(Hub(), SyncService.BuildPipeline(Settings(), NullLogger.Instance), cut.Token));
        }
        Assert.Equal(10L, Cursor());   // only the acknowledged batch is behind the cursor
        Assert.Equal(15, Backlog());
        Assert.Equal(20, _hub.Stored.Count);

        var result = await Sender(10).DrainAsync(Hub(), SyncService.BuildPipeline(Settings(), NullLogger.Instance), default);
        Assert.Equal((15L, 5L, 10L), (result.Sent, result.Accepted, result.Duplicates)); // 11-20 again, counted once by the hub
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"00000000-0000-4000-8000-{i:D12}"), _hub.Order);
        Assert.Equal(25L, Cursor());
        Assert.Equal(0, Backlog());
    }

    [Fact]
    public async Task Outbox_records_and_plays_both_go_up_and_the_backlog_counts_both()
    {
        Plays(3);
        using (var connection = _database.Open())
        {
            connection.Execute("""
                INSERT INTO device_event (event_id, device_id, venue_id, sequence, event_type, severity, event_time_utc, received_at_utc, payload_json)
                VALUES ('e7a9c7f0-0000-4000-8000-000000000100', 'dev_1', 'ven_1', 1, 'CACHE_LOW', 'WARNING', '2026-11-20T12:00:00.000Z', '2026-11-20T12:00:01.000Z', '{}');
                """, null);
        }
        Assert.Equal(4, Backlog());
        var result = await Sender(10).DrainAsync(Hub(), SyncService.BuildPipeline(Settings(), NullLogger.Instance), default);

        Assert.Equal(4L, result.Accepted);
        Assert.Equal(["DEVICE_EVENT", "PLAY", "PLAY", "PLAY"], _hub.Kinds);
        Assert.Equal(0, Backlog());
    }

    [Fact]
    public void While_standalone_plays_older_than_the_outbox_retention_are_let_go_and_younger_ones_wait_for_enrollment()
    {
        using var connection = _database.Open();
        connection.Execute("DELETE FROM hub_connection;", null);
        foreach (var (id, received) in new[] { ("a", "2026-09-01T00:00:00.000Z"), ("b", "2026-10-01T00:00:00.000Z"), ("c", "2026-11-20T00:00:00.000Z") })
        {
            connection.Execute("""
                INSERT INTO proof_of_play (event_id, event_type, device_id, venue_id, playlist_id, asset_id, device_time_utc, server_received_utc, started_at_utc, local_date, duration_ms, result)
                VALUES ($id, 'PLAY_END', 'dev_1', 'ven_1', 'pls_1', 'ast_1', $at, $at, $at, '2026-11-20', 10000, 'COMPLETED');
                """, null, ("$id", id), ("$at", received));
        }
        Assert.Equal(2, Sender(10).Trim(connection)); // 30 days before 2026-11-23: a and b are older
        Assert.Equal(2L, Cursor());
        Assert.Equal(1L, HubConnection.Backlog(connection));
        Assert.Equal(0, Sender(10).Trim(connection));
    }

    [Fact]
    public void Retention_keeps_plays_the_hub_has_not_acknowledged_while_enrolled()
    {
        Plays(5); // received 2026-11-20, three days before the clock
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Retention:ProofOfPlayDays"] = "1" }).Build();
        var retention = new Signage.Appliance.ProofOfPlay.EventRetention(_database, _clock, configuration, NullLogger<Signage.Appliance.ProofOfPlay.EventRetention>.Instance);

        Assert.Equal(0, retention.RunOnce());
        using (var connection = _database.Open()) connection.Execute("UPDATE play_upload SET sent_through = 3;", null);
        Assert.Equal(3, retention.RunOnce());
        Assert.Equal(2, Backlog());
    }

    private static SyncSettings Settings() => new(TimeSpan.FromSeconds(1), 10, TimeSpan.FromSeconds(10), 2, TimeSpan.FromSeconds(30), 30);
}

/// <summary>POST /v1/sync/up that stores each record id once, like the hub's contract says.</summary>
internal sealed class HubDouble : IAsyncDisposable
{
    private WebApplication? _app;
    public readonly ConcurrentDictionary<string, bool> Stored = new();
    public readonly List<int> BatchSizes = [];
    public readonly List<long> Backlogs = [];
    public readonly List<string> Order = [];
    public readonly List<string> Kinds = [];
    public readonly List<string> OccurredAt = [];
    public readonly List<JsonElement> Data = [];
    public readonly List<string> Credentials = [];
    public int StoreThenFail;
    /// <summary>On this call (1-based) the hub stores the batch, then never answers: the appliance is cut off (or killed) mid-batch.</summary>
    public int HangOnCall;
    /// <summary>Told when the hub has stored the batch it will never answer.</summary>
    public readonly TaskCompletionSource Hung = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public bool Refuse;
    public int Received;
    public int Calls;
    public string Url { get; private set; } = "";

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default));
        _app = builder.Build();
        _app.MapPost("/v1/sync/up", async (SyncUpRequest request, HttpContext http) =>
        {
            var answer = Store(request, http);
            if (answer is null)
            {
                Hung.TrySetResult();
                await Task.Delay(Timeout.Infinite, http.RequestAborted);
            }
            return answer!;
        });
        await _app.StartAsync();
        Url = _app.Urls.First() + "/";
    }

    private IResult? Store(SyncUpRequest request, HttpContext http)
    {
        lock (this)
        {
            Calls++;
            if (Refuse) return Results.Problem(statusCode: 401, detail: "unknown credential");
            Credentials.Add(http.Request.Headers.Authorization.ToString());
            Received += request.Records.Length;
            int accepted = 0, duplicates = 0;
            foreach (var record in request.Records)
            {
                if (Stored.TryAdd(record.RecordId, true))
                {
                    accepted++;
                    Order.Add(record.RecordId);
                    Kinds.Add(record.Kind);
                    OccurredAt.Add(record.OccurredAtUtc);
                    Data.Add(record.Data.Clone());
                }
                else duplicates++;
            }
            BatchSizes.Add(request.Records.Length);
            Backlogs.Add(request.Backlog);
            if (Calls == HangOnCall) return null;
            if (StoreThenFail > 0)
            {
                StoreThenFail--;
                return Results.StatusCode(503);
            }
            return Results.Ok(new SyncUpResponse(accepted, duplicates));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }
}
