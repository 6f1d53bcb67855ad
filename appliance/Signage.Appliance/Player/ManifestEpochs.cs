using System.Collections.Concurrent;
using Signage.Appliance.Data;

namespace Signage.Appliance.Player;

/// <summary>
/// Every venue's manifest epoch (spec 26.9), in memory, with a signal per venue that fires when it
/// changes. Screens' held manifest requests wait on the signal (no thread each), and the manifest
/// cache compares epochs without SQL. Endpoints that change playback call <see cref="Refresh"/>
/// right after committing; a 100 ms poll also catches any other writer of the database.
/// </summary>
public sealed class ManifestEpochs(Database database, ILogger<ManifestEpochs> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private readonly ConcurrentDictionary<string, VenueEpoch> _venues = new(StringComparer.Ordinal);
    private readonly Lock _refreshing = new();

    public long Current(string venueId) => Venue(venueId).Epoch;

    /// <summary>Completes when the venue's epoch is no longer <paramref name="seen"/>.</summary>
    public Task WaitForChangeAsync(string venueId, long seen, CancellationToken cancellationToken)
    {
        var venue = Venue(venueId);
        var changed = venue.Changed.Task; // read before the epoch: a change in between is not missed
        return venue.Epoch != seen ? Task.CompletedTask : changed.WaitAsync(cancellationToken);
    }

    /// <summary>Re-reads every venue's epoch and wakes the waiters of those that changed.</summary>
    public void Refresh()
    {
        using var connection = database.Open();
        var epochs = connection.Query("SELECT venue_id, manifest_epoch FROM venue;", null, r => (Venue: r.GetString(0), Epoch: r.GetInt64(1)));
        lock (_refreshing)
        {
            foreach (var (venueId, epoch) in epochs)
            {
                var venue = _venues.GetOrAdd(venueId, _ => new VenueEpoch(epoch));
                if (venue.Epoch == epoch) continue;
                var waiters = venue.Changed;
                venue.Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                venue.Epoch = epoch;
                waiters.TrySetResult();
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                Refresh();
            }
            catch (Microsoft.Data.Sqlite.SqliteException e)
            {
                logger.LogWarning(e, "Could not read manifest epochs; will retry");
            }
        }
    }

    private VenueEpoch Venue(string venueId)
    {
        if (_venues.TryGetValue(venueId, out var venue)) return venue;
        Refresh();
        return _venues.GetOrAdd(venueId, _ => new VenueEpoch(0));
    }

    private sealed class VenueEpoch(long epoch)
    {
        public volatile TaskCompletionSource Changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _epoch = epoch;

        public long Epoch
        {
            get => Interlocked.Read(ref _epoch);
            set => Interlocked.Exchange(ref _epoch, value);
        }
    }
}

public static class ManifestEpochEndpointExtensions
{
    /// <summary>For endpoints that can bump a venue's manifest epoch: once the handler has committed,
    /// re-read the epochs so held screens wake and the next manifest request is fresh at once.</summary>
    public static TBuilder ChangesPlayback<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var result = await next(context);
            context.HttpContext.RequestServices.GetRequiredService<ManifestEpochs>().Refresh();
            return result;
        });
}
