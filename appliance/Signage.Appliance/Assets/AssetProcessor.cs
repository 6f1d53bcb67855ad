using System.Threading.Channels;
using Signage.Appliance.Data;
using Signage.Contracts;

namespace Signage.Appliance.Assets;

/// <summary>Wakes the <see cref="AssetProcessor"/>: many wakes while it is busy collapse into one, since each
/// pass takes every PROCESSING asset there is.</summary>
public sealed class AssetProcessingSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    public void Wake() => _channel.Writer.TryWrite(true);

    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => _channel.Reader.ReadAsync(cancellationToken);
}

/// <summary>
/// The background worker that turns completed uploads into READY or FAILED assets, one at a time (the
/// appliance has two cores and screens to serve). At start it first takes whatever a crash or a stop
/// left PROCESSING, then waits for <see cref="AssetProcessingSignal"/>.
/// </summary>
public sealed partial class AssetProcessor(Database database, AssetPipeline pipeline, AssetProcessingSignal signal, ILogger<AssetProcessor> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // let start-up finish; the first pass may take a while
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var assetId in await PendingAsync(stoppingToken))
                    await pipeline.ProcessAsync(assetId, stoppingToken);
                await signal.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database may be briefly unusable; never let the worker die with the assets waiting.
                LogPassFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task<List<string>> PendingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return connection.Query("SELECT asset_id FROM asset WHERE status = $processing ORDER BY processing_started_at_utc, asset_id;", null,
            r => r.GetString(0), ("$processing", AssetStatuses.Processing));
    }

    [LoggerMessage(EventId = 3010, Level = LogLevel.Error, Message = "The asset worker's pass failed; retrying shortly")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
