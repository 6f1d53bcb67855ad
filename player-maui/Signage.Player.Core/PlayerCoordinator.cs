using Microsoft.Extensions.Logging;
using Signage.Contracts;
using Signage.Player.Core.Api;
using Signage.Player.Core.Auth;
using Signage.Player.Core.Cache;
using Signage.Player.Core.Commands;
using Signage.Player.Core.Configuration;
using Signage.Player.Core.Diagnostics;
using Signage.Player.Core.Downloads;
using Signage.Player.Core.Integrity;
using Signage.Player.Core.Manifests;
using Signage.Player.Core.Playback;
using Signage.Player.Core.Resilience;
using Signage.Player.Core.State;
using Signage.Player.Core.Storage;
using Signage.Player.Core.Telemetry;

namespace Signage.Player.Core;

/// <summary>The App Controller of spec 33.3.1: builds the modules, walks the state machine of spec 28, runs
/// playback in the foreground and sync, downloads, telemetry and commands beside it. Everything that
/// changes what plays (a staged manifest, a command, a lost token) waits for a safe boundary: between
/// two items, never inside a video.</summary>
public sealed partial class PlayerCoordinator : ICommandTarget, IDisposable
{
    private static readonly TimeSpan LoopFailurePause = TimeSpan.FromSeconds(30);

    private readonly PlayerOptions _options;
    private readonly IPlayerScreen _screen;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly PlayerDatabase _database;
    private readonly HttpClient _http;
    private readonly EventQueue _queue;
    private readonly EventRecorder _events;
    private readonly Connectivity _connectivity;
    private readonly DeviceCredentials _credentials;
    private readonly ManifestStore _manifests;
    private readonly AssetCache _cache;
    private readonly ManifestSync _sync;
    private readonly DownloadScheduler _downloads;
    private readonly CacheVerifier _verifier;
    private readonly PlaylistRotation _rotation = new();
    private readonly ContentPicker _picker;
    private readonly ItemPlayer _itemPlayer;
    private readonly EventUploader _uploader;
    private readonly HeartbeatReporter _heartbeat;
    private readonly CommandInbox _commands;
    private readonly CommandExecutor _executor;
    private readonly PairingFlow _pairing;
    private readonly PlayerStateMachine _machine = new();

    // Wakes the playback loop at a boundary (new content, a command, a lost token) and the background loops.
    private readonly AsyncSignal _boundary = new();
    private readonly AsyncSignal _syncNow = new();
    private readonly AsyncSignal _flushNow = new();
    private readonly AsyncSignal _commandsNow = new();
    private readonly AsyncSignal _paired = new();

    private volatile bool _tokenInvalid;
    private volatile bool _restartRequested;
    private volatile Pick? _onScreen;

    /// <summary>When <see cref="_onScreen"/> went on screen (UTC ticks), so a heartbeat names this very showing:
    /// after a restart or a re-applied manifest the same item at the same index is a new showing (issue 16).</summary>
    private long _onScreenSinceTicks;
    private volatile PairingScreen? _pairingScreen;
    private ContentSource? _lastSource;
    private readonly PlayerLogLevel _logLevel;

    public PlayerCoordinator(PlayerOptions options, PlayerDependencies dependencies)
    {
        _options = options;
        _screen = dependencies.Screen;
        _clock = dependencies.Clock;
        _logger = dependencies.Loggers.CreateLogger("Signage.Player");
        var random = dependencies.Random ?? new Random();
        Backoff NewBackoff() => new(TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5), random);

        var paths = new PlayerPaths(options.DataDirectory);
        paths.EnsureCreated();
        _database = new PlayerDatabase(paths.Database);
        _queue = new EventQueue(_database, _clock);
        _events = new EventRecorder(_queue, new TelemetryCounters());
        _connectivity = new Connectivity(_events, _clock);
        _credentials = new DeviceCredentials(new DeviceTokenStore(paths), options.UnauthorizedLimit);
        _http = new HttpClient(dependencies.HttpHandler ?? new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        }, disposeHandler: true)
        {
            // Each call sets its own deadline on the injected clock (a held manifest request needs > 30 s).
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var api = new ApplianceApi(_http, dependencies.Locator, _credentials, _connectivity, _clock, new RequestPacer(_clock, paths.RateLimits));
        _manifests = new ManifestStore(paths);
        _cache = new AssetCache(_database, paths, _events, _clock, options.DefaultCacheBudgetBytes)
        {
            ProtectedHashes = _manifests.ProtectedHashes,
        };
        _sync = new ManifestSync(api, _manifests, _events, options, _clock, NewBackoff(), _logger);
        _downloads = new DownloadScheduler(new AssetDownloader(api, paths, _clock), _cache, _manifests, _events, _clock, random,
            options.DownloadConcurrency, _logger);
        _verifier = new CacheVerifier(_cache, paths, _events, _logger);
        _picker = new ContentPicker(_manifests, _cache, _rotation, _events, _clock);
        _itemPlayer = new ItemPlayer(_screen, _cache, _events, _clock);
        _uploader = new EventUploader(api, _queue, options, _clock, NewBackoff(), _logger);
        _heartbeat = new HeartbeatReporter(api, _events.Counters, HeartbeatSnapshot, () => _manifests.Current?.NextCheck ?? options.DefaultCheckInterval,
            NewBackoff());
        _commands = new CommandInbox(api, _database, options, _clock, NewBackoff(), _logger);
        _executor = new CommandExecutor(this, _events, _clock);
        _logLevel = new PlayerLogLevel(_database, _clock, dependencies.LogLevel ?? new LogLevelSwitch());
        _pairing = new PairingFlow(api, _credentials, options, _clock, NewBackoff(), _logger);

        _machine.Transitioned += OnTransition;
        _credentials.Invalidated += OnTokenInvalidated;
        _credentials.Paired += _paired.Set;
        _connectivity.Changed += OnConnectivityChanged;
        _sync.Staged += OnManifestsChanged;
        _downloads.AssetReady += _ => _boundary.Set();
        _picker.AssetLost += _ => _downloads.Wake();
        _commands.Arrived += _boundary.Set;
        _events.Recorded += PublishStatus;
        _logLevel.Changed += PublishStatus;
    }

    /// <summary>Raised whenever something a status display shows may have changed.</summary>
    public event Action? StatusChanged;

    public PlayerState State => _machine.State;

    public async Task<PlayerExit> RunAsync(CancellationToken cancellationToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stop = stopping.Token;

        // BOOT
        _events.AppStarted(new AppStartedPayload(_options.AppVersion, _options.DeviceInfo.Model, _options.DeviceInfo.OsVersion, _options.HardwareId));
        _events.EndPlayCutByRestart();
        _machine.Fire(PlayerTrigger.InitComplete);

        // LOAD_LOCAL
        foreach (var corrupt in _manifests.Load())
        {
            LogManifestCorrupt(_logger, corrupt.FileName, corrupt.Error);
            _events.LocalManifestCorrupt(corrupt.FileName, corrupt.Error);
        }

        _credentials.Load();
        ApplyCacheBudget();
        _machine.Fire(_credentials.HasToken ? PlayerTrigger.Loaded : PlayerTrigger.NoDeviceToken);

        var background = Task.WhenAll(
            LoopAsync("manifest", PlayerActivity.SyncManifest, _sync.SyncOnceAsync, _syncNow, stop),
            LoopAsync("events", PlayerActivity.None, _uploader.FlushOnceAsync, _flushNow, stop),
            LoopAsync("heartbeat", PlayerActivity.None, _heartbeat.SendOnceAsync, new AsyncSignal(), stop),
            LoopAsync("commands", PlayerActivity.SyncCommands, _commands.PollOnceAsync, _commandsNow, stop),
            DownloadsAsync(stop));
        try
        {
            while (!stop.IsCancellationRequested && !_restartRequested)
            {
                if (_machine.State == PlayerState.Unregistered)
                {
                    await PairAsync(stop).ConfigureAwait(false);
                }
                else
                {
                    await GuardedPlaybackStepAsync(stop).ConfigureAwait(false);
                }
            }

            if (_restartRequested)
            {
                await DeliverCommandResultsBeforeRestartAsync(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            await stopping.CancelAsync().ConfigureAwait(false);
            try
            {
                await background.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        return _restartRequested ? PlayerExit.RestartRequested : PlayerExit.Stopped;
    }

    public PlayerStatus Status()
    {
        var pick = _onScreen;
        var pairing = _pairingScreen;
        return new PlayerStatus(PlayerStateNames.Wire(_machine.State), [.. PlayerStateNames.Wire(_machine.Activities)], pairing?.Code,
            pairing?.QrPayload, _manifests.Current?.Etag, _manifests.Staged?.Etag, pick?.Item.PlaylistId, pick?.Item.AssetId, pick?.Item.ItemIndex,
            _rotation.LoopCount, _queue.Count, _queue.DroppedCount, _sync.LastSyncUtc is { } sync ? UtcText.Format(sync) : null,
            _connectivity.IsOnline, _cache.UsedBytes, _cache.BudgetBytes, _cache.Count, _downloads.Pending, _downloads.Paused,
            _logLevel.DiagnosticsEnabled, PlayerLogLevel.Name(_logLevel.Effective),
            _logLevel.DiagnosticsUntil is { } until ? UtcText.Format(until) : null);
    }

    // ---- the foreground: playback and pairing ----

    private async Task GuardedPlaybackStepAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PlaybackStepAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Never crash the screen: log, breathe, pick again (spec 28.1 "remain stable").
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogLoopFailed(_logger, "playback", ex);
            await Task.Delay(TimeSpan.FromSeconds(1), _clock, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DeliverCommandResultsBeforeRestartAsync(CancellationToken cancellationToken)
    {
        // Best effort: the result is on disk and goes out after the restart if this fails.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5), _clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            await _commands.DeliverUnsentResultsAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task PlaybackStepAsync(CancellationToken cancellationToken)
    {
        // Here nothing is mid-play: a safe boundary (spec 28.4 "switch rules").
        if (_tokenInvalid)
        {
            _tokenInvalid = false;
            _machine.Fire(PlayerTrigger.TokenInvalid);
            return;
        }

        RunPendingCommands();
        if (_restartRequested)
        {
            return;
        }

        // Taken before looking: a download that finishes while the error screen goes up must still wake it
        // (found end to end: two damaged files re-downloaded in that gap left the error screen up for 5 s).
        var woken = _boundary.Next;
        ApplyStagedIfReady();
        var now = _clock.GetUtcNow();
        var pick = _picker.Next(now);
        if (pick is null)
        {
            await ShowNothingPlayableAsync(woken, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (pick.Source == ContentSource.Previous && _lastSource != ContentSource.Previous)
        {
            _events.FallbackToPreviousManifest(_manifests.Current?.Etag, pick.Manifest.Etag);
        }

        _lastSource = pick.Source;
        _machine.Fire(_machine.State == PlayerState.ErrorScreen ? PlayerTrigger.ContentRestored : PlayerTrigger.PlayableFound);
        _rotation.Played(pick.RotationKey, pick.Item.ItemIndex, pick.ItemCount);
        Interlocked.Exchange(ref _onScreenSinceTicks, _clock.GetUtcNow().UtcTicks);
        _onScreen = pick;
        PublishStatus();
        LogShowing(_logger, pick.Item.AssetId, pick.Item.ItemIndex, pick.Item.PlaylistId, pick.Manifest.Etag);
        await _itemPlayer.PlayAsync(pick, NextScheduleChange(pick, now), cancellationToken).ConfigureAwait(false);
    }

    private async Task ShowNothingPlayableAsync(Task woken, CancellationToken cancellationToken)
    {
        _machine.Fire(PlayerTrigger.PlaybackImpossible);
        if (_machine.Fire(PlayerTrigger.NonePlayable))
        {
            _onScreen = null;
            _lastSource = null;
            _cache.PutOnScreen(null);
            PublishStatus();
            await _screen.ShowErrorScreenAsync(ErrorScreenReason(), cancellationToken).ConfigureAwait(false);
        }

        await AsyncSignal.WaitAsync(woken, _options.ErrorScreenRecheck, _clock, cancellationToken).ConfigureAwait(false);
    }

    private async Task PairAsync(CancellationToken cancellationToken)
    {
        _onScreen = null;
        _cache.PutOnScreen(null);
        await _pairing.RunAsync(async pairing =>
        {
            _pairingScreen = pairing;
            PublishStatus();
            await _screen.ShowPairingAsync(pairing, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        _pairingScreen = null;
        _tokenInvalid = false;
        _rotation.Reset();
        _machine.Fire(PlayerTrigger.Paired);
        _syncNow.Set();
        _flushNow.Set();
    }

    private void ApplyStagedIfReady()
    {
        var staged = _manifests.Staged;
        if (staged is null || !StagingPolicy.IsReady(staged, _manifests.Current, IsPlayable, _clock.GetUtcNow()))
        {
            return;
        }

        _machine.Begin(PlayerActivity.ApplyStaged);
        try
        {
            var replaced = _manifests.ApplyStaged();
            _events.ManifestApplied(staged.Etag, replaced?.Etag);
            LogApplied(_logger, staged.Etag, replaced?.Etag);
            ApplyCacheBudget();
            _cache.MakeRoom(0);
            _downloads.Wake();
        }
        finally
        {
            _machine.End(PlayerActivity.ApplyStaged);
        }
    }

    private void RunPendingCommands()
    {
        var ran = false;
        while (_commands.TryTake(out var command))
        {
            var (status, message) = _executor.Execute(command);
            LogCommand(_logger, command.CommandType, command.CommandId, status, message);
            _commands.Complete(command, status, message);
            ran = true;
        }

        if (ran)
        {
            _commandsNow.Set();
        }
    }

    private bool IsPlayable(ManifestItem item) => _cache.Check(LoadedManifest.Sha(item), item.FileSizeBytes).Availability == AssetAvailability.Ready;

    /// <summary>When the playlist in force changes during this item (a still is cut then; a video is not).</summary>
    private static DateTimeOffset? NextScheduleChange(Pick pick, DateTimeOffset now) => pick.Manifest.Timeline.NextChangeAfter(now);

    private string ErrorScreenReason() => _manifests.Current is null && _manifests.Previous is null ? "NO_MANIFEST" : "NO_PLAYABLE_CONTENT";

    private void ApplyCacheBudget() => _cache.BudgetBytes = _manifests.Current?.CacheBudgetBytes(_options.DefaultCacheBudgetBytes) ?? _options.DefaultCacheBudgetBytes;

    // ---- the background ----

    private async Task LoopAsync(string name, PlayerActivity activity, Func<CancellationToken, Task<TimeSpan>> step, AsyncSignal wake,
        CancellationToken cancellationToken)
    {
        await Task.Yield();
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!_credentials.HasToken)
            {
                await _paired.WaitAsync(TimeSpan.FromSeconds(5), _clock, cancellationToken).ConfigureAwait(false);
                continue;
            }

            TimeSpan delay;
            _machine.Begin(activity);
            try
            {
                delay = await step(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A background loop logs and carries on: playback must outlive any of them.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogLoopFailed(_logger, name, ex);
                delay = LoopFailurePause;
            }
            finally
            {
                _machine.End(activity);
            }

            PublishStatus();
            await wake.WaitAsync(delay, _clock, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DownloadsAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        // Full hash of the cache once per boot, after playback has started from the cheap checks.
        try
        {
            if ((await _verifier.VerifyAllAsync(cancellationToken).ConfigureAwait(false)).Count > 0)
            {
                _boundary.Set();
            }
        }
        catch (IOException ex)
        {
            LogLoopFailed(_logger, "verify", ex);
        }

        _machine.Begin(PlayerActivity.DownloadAssets);
        try
        {
            await _downloads.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _machine.End(PlayerActivity.DownloadAssets);
        }
    }

    // ---- reactions ----

    private void OnTransition(PlayerState from, PlayerState to, PlayerTrigger trigger)
    {
        LogTransition(_logger, PlayerStateNames.Wire(from), PlayerStateNames.Wire(to), trigger);
        if (to == PlayerState.ErrorScreen)
        {
            _events.NoPlayableContent(_manifests.Current?.Etag);
            _events.ErrorScreenEntered(ErrorScreenReason());
        }

        PublishStatus();
    }

    private void OnTokenInvalidated(int httpStatus)
    {
        LogTokenInvalid(_logger, _options.UnauthorizedLimit);
        _events.DeviceTokenInvalid(httpStatus);
        _tokenInvalid = true;
        _boundary.Set();
    }

    private void OnConnectivityChanged()
    {
        if (_connectivity.IsOnline)
        {
            _machine.End(PlayerActivity.OfflineBackoff);
            _flushNow.Set();
        }
        else
        {
            _machine.Begin(PlayerActivity.OfflineBackoff);
        }
    }

    private void OnManifestsChanged()
    {
        _downloads.Wake();
        _boundary.Set();
    }

    private void PublishStatus() => StatusChanged?.Invoke();

    private HeartbeatRequest HeartbeatSnapshot()
    {
        var pick = _onScreen;
        var now = _clock.GetUtcNow();
        return new HeartbeatRequest(_options.AppVersion, PlayerStateNames.Heartbeat(_machine.State), UtcText.Format(now), _manifests.Current?.Etag,
            new PlaybackState(pick?.Item.PlaylistId, pick is null ? null : pick.Manifest.Playlist(pick.Item.PlaylistId)?.PublishedVersion,
                pick?.Item.AssetId, pick?.Item.ItemIndex, _rotation.LoopCount,
                pick is null ? null : UtcText.Format(new DateTimeOffset(Interlocked.Read(ref _onScreenSinceTicks), TimeSpan.Zero))),
            new CacheState(_cache.BudgetBytes, _cache.UsedBytes, _cache.Count, _downloads.Pending),
            new NetworkState(_connectivity.IsOnline, _options.NetworkType, _sync.LastSyncUtc is { } sync ? UtcText.Format(sync) : null),
            _events.Counters.Snapshot());
    }

    // ---- support commands (ICommandTarget), run at a boundary ----

    void ICommandTarget.RefreshManifest() => _syncNow.Set();

    void ICommandTarget.RestartPlayback() => _rotation.Reset();

    int ICommandTarget.ClearUnusedCache() => _cache.ClearUnused();

    int ICommandTarget.ClearAllCache()
    {
        var removed = _cache.ClearAll();
        _downloads.Wake();
        return removed;
    }

    void ICommandTarget.RestartApp() => _restartRequested = true;

    void ICommandTarget.SetLogLevel(LogLevel level) => _logLevel.Set(level);

    DateTimeOffset ICommandTarget.EnableDiagnostics(TimeSpan duration) => _logLevel.EnableDiagnostics(duration);

    public void Dispose()
    {
        _logLevel.Dispose();
        _http.Dispose();
        _database.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "State {From} -> {To} ({Trigger})")]
    private static partial void LogTransition(ILogger logger, string from, string to, PlayerTrigger trigger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Manifest {Etag} applied (previous {PreviousEtag})")]
    private static partial void LogApplied(ILogger logger, string etag, string? previousEtag);

    [LoggerMessage(Level = LogLevel.Error, Message = "Local manifest {FileName} is unusable: {Error}")]
    private static partial void LogManifestCorrupt(ILogger logger, string fileName, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device token rejected {Limit} times in a row; pairing again")]
    private static partial void LogTokenInvalid(ILogger logger, int limit);

    // What diagnostics (ENABLE_DIAGNOSTICS, SET_LOG_LEVEL DEBUG) add: every item as it goes on screen.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Showing {AssetId} (item {ItemIndex} of {PlaylistId}, manifest {Etag})")]
    private static partial void LogShowing(ILogger logger, string assetId, int itemIndex, string playlistId, string etag);

    [LoggerMessage(Level = LogLevel.Information, Message = "Command {CommandType} {CommandId}: {Status} ({Message})")]
    private static partial void LogCommand(ILogger logger, string commandType, string commandId, string status, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Background loop {Loop} failed; it carries on")]
    private static partial void LogLoopFailed(ILogger logger, string loop, Exception exception);
}
