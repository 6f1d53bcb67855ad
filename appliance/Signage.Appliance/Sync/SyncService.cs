using System.Threading.Channels;
using NodaTime;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Signage.Appliance.Data;
using Signage.Appliance.Hosting;

namespace Signage.Appliance.Sync;

/// <summary>Wakes the sync loop before its interval is over (after enrollment).</summary>
public sealed class SyncSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public void Wake() => _channel.Writer.TryWrite(true);

    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await _channel.Reader.ReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The interval is over.
        }
    }
}

/// <summary>
/// The appliance's sync loop: every Hub:SyncIntervalSeconds (or at once after enrolling) it drains
/// the outbox up to the hub and then applies the hub's change feed. Every hub call goes through one
/// Polly pipeline: exponential backoff with jitter for transient failures, inside which a circuit
/// breaker stops calling a hub that keeps failing for Hub:BreakSeconds. The outcome (last success,
/// last error) is stored for the dashboard. While standalone, it only trims the outbox to its retention.
/// </summary>
public sealed partial class SyncService(Database database, OutboxSender sender, ChangeApplier applier, SyncSettings settings, SyncSignal signal,
    IClock clock, ILogger<SyncService> logger) : BackgroundService
{
    // Built on the first hub call, not when the service is constructed (right after listen, issue 9):
    // Polly validates its options with DataAnnotations, reflection that cost ~5 % of the CPU from exec
    // to the first /healthz answer, and a standalone appliance never calls a hub. One instance for the
    // service's life, so the circuit breaker's state is kept as before.
    private readonly Lazy<ResiliencePipeline> _pipeline = new(() => BuildPipeline(settings, logger));

    public static ResiliencePipeline BuildPipeline(SyncSettings settings, ILogger logger)
    {
        var transient = new PredicateBuilder().Handle<HubException>(e => e.Transient);
        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromSeconds(1),
                MaxDelay = TimeSpan.FromSeconds(30),
                MaxRetryAttempts = Math.Max(1, settings.MaxRetries),
                OnRetry = args =>
                {
                    LogRetry(logger, args.AttemptNumber + 1, args.RetryDelay.TotalSeconds, args.Outcome.Exception?.Message);
                    return default;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = transient,
                FailureRatio = 0.5,
                MinimumThroughput = 4,
                SamplingDuration = TimeSpan.FromSeconds(60),
                BreakDuration = settings.BreakDuration,
            })
            .Build();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                var message = e switch
                {
                    BrokenCircuitException => $"The hub failed repeatedly; not calling it for {settings.BreakDuration.TotalSeconds:0} s (circuit open).",
                    HubException or Microsoft.Data.Sqlite.SqliteException or IOException => e.Message,
                    _ => $"{e.GetType().Name}: {e.Message}",
                };
                LogFailed(logger, message);
                try
                {
                    await using var connection = await database.OpenAsync(stoppingToken);
                    HubConnection.RecordError(connection, clock.GetCurrentInstant(), message);
                }
                catch (Microsoft.Data.Sqlite.SqliteException)
                {
                    // The next round records it.
                }
            }
            await signal.WaitAsync(settings.Interval, stoppingToken);
        }
    }

    /// <summary>One round: up, then down. Public for tests that drive it step by step.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        HubConnection? hub;
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            hub = HubConnection.Load(connection);
            if (hub is null)
            {
                var trimmed = sender.Trim(connection);
                if (trimmed > 0) LogTrimmed(logger, trimmed, settings.OutboxRetentionDays);
                return;
            }
        }
        var started = clock.GetCurrentInstant();
        var sent = await sender.DrainAsync(hub, _pipeline.Value, cancellationToken);
        var changes = await applier.PullAsync(hub, _pipeline.Value, cancellationToken);
        await using (var connection = await database.OpenAsync(cancellationToken))
            HubConnection.RecordSuccess(connection, clock.GetCurrentInstant());
        if (sent.Sent > 0 || changes > 0)
            LogSynced(logger, sent.Sent, sent.Accepted, sent.Duplicates, sent.HubSeconds, changes, (clock.GetCurrentInstant() - started).TotalSeconds);
    }

    [LoggerMessage(EventId = 8001, Level = LogLevel.Information,
        Message = "Hub sync: {Sent} records up ({Accepted} new, {Duplicates} already there; {HubSeconds:0.0} s waiting for the hub), {Changes} changes down in {Seconds:0.0} s")]
    private static partial void LogSynced(ILogger logger, long sent, long accepted, long duplicates, double hubSeconds, int changes, double seconds);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "Hub sync failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Information, Message = "Hub call retry {Attempt} in {Seconds:0.0} s after: {Reason}")]
    private static partial void LogRetry(ILogger logger, int attempt, double seconds, string? reason);

    [LoggerMessage(EventId = 8004, Level = LogLevel.Information, Message = "Standalone: trimmed {Count} outbox records older than {Days} days")]
    private static partial void LogTrimmed(ILogger logger, int count, int days);
}

public static class SyncServices
{
    public static IServiceCollection AddHubSync(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = SyncSettings.From(configuration);
        services.AddSingleton(settings);
        // Made when first needed (after listen), not while the host is built.
        services.AddSingleton(_ => new HubClient(new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = settings.RequestTimeout,
        }));
        services.AddSingleton<SyncSignal>();
        services.AddSingleton<OutboxSender>();
        services.AddSingleton<ChangeApplier>();
        services.AddHostedServiceAfterListen<SyncService>();
        return services;
    }
}
