using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;
using NodaTime;
using NodaTime.Testing;
using Signage.Appliance.Data;
using Signage.Appliance.Devices;
using Signage.Appliance.Hosting;
using Signage.Appliance.Player;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;

namespace Signage.Appliance.Tests.Player;

/// <summary>
/// The manifest service on a real SQLite file with an injected clock: the ETag names what the screen
/// must do (001's "ETag stable if inputs unchanged"), and a manifest that cannot be built is answered
/// with the last one kept for the screen, else a minimal fallback (spec 31.9).
/// </summary>
public sealed class ManifestServiceTests : IDisposable
{
    private const string BaseUrl = "http://appliance.test:5080";
    private static readonly DeviceSettings Settings = new("KIOSK", true, true, true, true, "LANDSCAPE", 2_000_000_000, null);
    private static readonly DeviceEntry Screen = new("dev_1", "ten_1", "ven_1", "Bar screen", null, null, 1, 1, Settings);
    private readonly TempDirectory _temp = new();
    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 11, 23, 10, 17, 33));
    private readonly Database _database;
    private readonly List<IDisposable> _services = [];
    private ManifestEpochs _epochs = null!;

    public ManifestServiceTests()
    {
        _database = new Database(_temp.Combine("appliance.db"));
        Migrator.Migrate(_database);
        using var connection = _database.Open();
        connection.Execute("""
            INSERT INTO tenant (tenant_id, name, created_at_utc) VALUES ('ten_1', 'T', '2026-11-01T00:00:00.000Z');
            INSERT INTO venue (venue_id, tenant_id, name, timezone, created_at_utc, updated_at_utc) VALUES ('ven_1', 'ten_1', 'V', 'Europe/London', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
            INSERT INTO device (device_id, tenant_id, venue_id, name, hardware_id, created_at_utc, updated_at_utc)
                VALUES ('dev_1', 'ten_1', 'ven_1', 'Bar screen', 'hw1', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
            """, null);
        Publish(connection, "pls_fallback", 1, "a");
        Publish(connection, "pls_lunch", 1, "b");
        connection.Execute("UPDATE venue SET fallback_playlist_id = 'pls_fallback';", null);
    }

    public void Dispose()
    {
        foreach (var service in _services) service.Dispose();
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    [Fact]
    public void The_etag_stays_the_same_across_validity_windows_when_nothing_changed()
    {
        var manifests = Start();
        var first = manifests.Get(Screen, BaseUrl);
        var body = Body(first);
        Assert.Equal(Sql.Utc(_clock.GetCurrentInstant() + Duration.FromHours(6)), body.ValidToUtc); // only the 6-hour clamp

        foreach (var hours in new[] { 5.9, 6.1, 13, 71, 72.5, 24 * 9 })
        {
            _clock.Reset(Instant.FromUtc(2026, 11, 23, 10, 17, 33) + Duration.FromHours(hours));
            var later = manifests.Get(Screen, BaseUrl);
            Assert.Equal(first.ETag, later.ETag);
            Assert.True(Sql.ParseUtc(Body(later).ValidToUtc) > _clock.GetCurrentInstant()); // past 6 h: a new window, a new body
        }
    }

    [Fact]
    public void The_etag_stays_the_same_after_a_restart_and_after_the_venue_changed_something_this_screen_does_not_play()
    {
        var before = Start().Get(Screen, BaseUrl);

        _clock.AdvanceMinutes(7);
        using (var connection = _database.Open())
        {
            Publish(connection, "pls_other", 1, "c");
            connection.Execute("UPDATE venue SET manifest_epoch = manifest_epoch + 1;", null);
        }
        var restarted = Start();
        Assert.Equal(before.ETag, restarted.Get(Screen, BaseUrl).ETag);
    }

    [Fact]
    public void The_etag_changes_when_what_the_screen_plays_changes()
    {
        var manifests = Start();
        var first = manifests.Get(Screen, BaseUrl);

        using (var connection = _database.Open())
        {
            Publish(connection, "pls_fallback", 2, "d");
            connection.Execute("UPDATE venue SET manifest_epoch = manifest_epoch + 1;", null);
        }
        _epochs.Refresh(); // what the publish endpoint does after committing
        Assert.NotEqual(first.ETag, manifests.Get(Screen, BaseUrl).ETag);
        Assert.NotEqual(first.ETag, manifests.Get(Screen with { RowVersion = 2, Settings = Settings with { Orientation = "PORTRAIT" } }, BaseUrl).ETag);
    }

    [Fact]
    public void With_a_daily_slot_the_etag_is_the_same_within_a_stretch_and_changes_when_a_boundary_passes()
    {
        using (var connection = _database.Open())
        {
            // Lunch 12:00-14:00 London, every day.
            connection.Execute("""
                INSERT INTO schedule_set (venue_id, published_version, updated_at_utc) VALUES ('ven_1', 1, '2026-11-01T00:00:00.000Z');
                INSERT INTO schedule_published (venue_id, version, published_at_utc) VALUES ('ven_1', 1, '2026-11-01T00:00:00.000Z');
                INSERT INTO schedule_published_slot (venue_id, version, slot_id, target_type, target_id, playlist_id, days_of_week_mask,
                    start_minutes, end_minutes, priority, enabled, updated_at_utc)
                    VALUES ('ven_1', 1, 'slt_1', 'DEVICE', 'dev_1', 'pls_lunch', 127, 720, 840, 0, 1, '2026-11-01T00:00:00.000Z');
                UPDATE venue SET manifest_epoch = manifest_epoch + 1;
                """, null);
        }
        var manifests = Start();
        var morning = manifests.Get(Screen, BaseUrl);
        Assert.Equal("2026-11-23T12:00:00.000Z", Body(morning).ValidToUtc);

        _clock.Reset(Instant.FromUtc(2026, 11, 23, 11, 59, 59));
        Assert.Equal(morning.ETag, manifests.Get(Screen, BaseUrl).ETag);
        Assert.Equal(morning.ETag, Start().Get(Screen, BaseUrl).ETag);

        _clock.Reset(Instant.FromUtc(2026, 11, 23, 12, 0, 1));
        var lunch = manifests.Get(Screen, BaseUrl);
        Assert.NotEqual(morning.ETag, lunch.ETag);
        Assert.Equal("pls_lunch", Body(lunch).Playlist!.PlaylistId);
    }

    [Fact]
    public void A_damaged_database_answers_with_the_last_manifest_from_memory_then_from_disk_after_a_restart_else_a_fallback()
    {
        var manifests = Start(out var kept);
        var good = manifests.Get(Screen, BaseUrl);
        kept.Flush();
        Assert.True(File.Exists(_temp.Combine(LastManifests.FolderName, "dev_1.json")));

        SqliteConnection.ClearAllPools();
        Damage(_database.Path);
        _clock.AdvanceHours(7); // past validity: the service must build, and cannot

        var fromMemory = manifests.Get(Screen, BaseUrl);
        Assert.Equal(good.ETag, fromMemory.ETag);
        Assert.Equal(good.Body, fromMemory.Body);

        var fromDisk = Start().Get(Screen, BaseUrl);
        Assert.Equal(good.ETag, fromDisk.ETag);
        Assert.Equal(good.Body, fromDisk.Body);

        Directory.Delete(_temp.Combine(LastManifests.FolderName), recursive: true);
        var fallback = Start().Get(Screen, BaseUrl);
        var body = Body(fallback);
        Assert.NotEqual(good.ETag, fallback.ETag);
        Assert.Null(body.Playlist);
        Assert.Empty(body.Timeline.Segments);
        Assert.Equal(ManifestService.FallbackCheckSeconds, body.NextCheckSeconds);
        Assert.Equal(Settings, body.Settings);
    }

    [Fact]
    public void A_file_is_written_only_when_the_etag_changed()
    {
        var manifests = Start(out var kept);
        manifests.Get(Screen, BaseUrl);
        kept.Flush();
        var path = _temp.Combine(LastManifests.FolderName, "dev_1.json");
        var written = File.GetLastWriteTimeUtc(path);
        File.SetLastWriteTimeUtc(path, written.AddHours(-1));

        _clock.AdvanceHours(7); // a new validity window, the same ETag
        manifests.Get(Screen, BaseUrl);
        Start(out var afterRestart).Get(Screen, BaseUrl);
        kept.Flush();
        afterRestart.Flush();
        Assert.Equal(written.AddHours(-1), File.GetLastWriteTimeUtc(path));
        Assert.Empty(Directory.GetFiles(_temp.Combine(LastManifests.FolderName), "*.tmp"));
    }

    [Theory]
    [InlineData("\"m-1\"", true)]
    [InlineData("W/\"m-1\"", true)]
    [InlineData("\"m-0\", \"m-1\"", true)]
    [InlineData("\"m-0\",W/\"m-1\" ,\"m-2\"", true)]
    [InlineData("*", true)]
    [InlineData(" * ", true)]
    [InlineData("\"m-0\"", false)]
    [InlineData("W/\"m-0\", \"m-2\"", false)]
    [InlineData("m-1", false)]
    [InlineData("", false)]
    public void If_none_match_takes_a_list_weak_tags_and_a_star(string header, bool matches) =>
        Assert.Equal(matches, ManifestEndpoints.Matches(new StringValues(header), "\"m-1\""));

    [Fact]
    public void If_none_match_sent_as_several_header_lines_matches_any_of_them() =>
        Assert.True(ManifestEndpoints.Matches(new StringValues(["\"m-0\"", "W/\"m-1\""]), "\"m-1\""));

    private ManifestService Start() => Start(out _);

    /// <summary>A fresh service, as after an appliance restart: nothing in memory.</summary>
    private ManifestService Start(out LastManifests kept)
    {
        kept = new LastManifests(new ApplianceSettings("http://127.0.0.1:0", _temp.Path), NullLogger<LastManifests>.Instance);
        _services.Add(kept);
        _epochs = new ManifestEpochs(_database, NullLogger<ManifestEpochs>.Instance);
        _services.Add(_epochs);
        return new ManifestService(_database, _epochs, _clock, kept, NullLogger<ManifestService>.Instance);
    }

    private static ManifestResponse Body(CachedManifest manifest) => JsonSerializer.Deserialize(manifest.Body, ContractsJsonContext.Default.ManifestResponse)!;

    private static void Publish(SqliteConnection connection, string playlistId, long version, string hashDigit) => connection.Execute("""
        INSERT INTO playlist (playlist_id, venue_id, name, created_at_utc, updated_at_utc) VALUES ($playlist, 'ven_1', $playlist, '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z')
            ON CONFLICT (playlist_id) DO NOTHING;
        INSERT INTO playlist_published (playlist_id, version, name, published_at_utc) VALUES ($playlist, $version, $playlist, '2026-11-01T00:00:00.000Z');
        INSERT INTO playlist_published_item (playlist_id, version, position, asset_id, sha256, media_type, duration_ms)
            VALUES ($playlist, $version, 0, 'ast_' || $digit, printf('%.64c', $digit), 'IMAGE', 10000);
        UPDATE playlist SET published_version = $version WHERE playlist_id = $playlist;
        """, null, ("$playlist", playlistId), ("$version", version), ("$digit", hashDigit));

    /// <summary>Overwrites every page after the first (the schema) with garbage: what a failing disk leaves.</summary>
    private static void Damage(string path)
    {
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            connection.Execute("PRAGMA wal_checkpoint(TRUNCATE);", null);
        }
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        var pageSize = 4096;
        var garbage = new byte[file.Length - pageSize];
        new Random(16).NextBytes(garbage);
        file.Position = pageSize;
        file.Write(garbage);
        file.Flush(flushToDisk: true);
    }
}
