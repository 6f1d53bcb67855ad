using System.Net;
using Microsoft.Extensions.Logging;
using Signage.Contracts;
using Signage.Player.Core.Api;
using Signage.Player.Core.Configuration;
using Signage.Player.Core.Playback;
using Signage.Player.Core.Resilience;
using Signage.Player.Core.Storage;

namespace Signage.Player.Core.Auth;

/// <summary>Pairing (spec 8, 27.7): start a pairing, show its code, poll its status with the pairing secret
/// until COMPLETED (store the token) or EXPIRED (start a new one). Returns only once paired.</summary>
public sealed partial class PairingFlow(ApplianceApi api, DeviceCredentials credentials, PlayerOptions options, TimeProvider clock,
    Backoff backoff, ILogger logger)
{
    public async Task RunAsync(Func<PairingScreen, Task> show, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var started = await api.StartPairingAsync(new PairingStartRequest(options.HardwareId, options.DeviceInfo), cancellationToken)
                .ConfigureAwait(false);
            if (started is not { IsOk: true, Value: { } pairing })
            {
                LogStartFailed(logger, started.Outcome, started.StatusCode);
                await Task.Delay(backoff.NextDelay(started.RetryAfter), clock, cancellationToken).ConfigureAwait(false);
                continue;
            }

            backoff.Reset();
            var expires = UtcText.TryParse(pairing.ExpiresAtUtc, out var e) ? e : clock.GetUtcNow().AddMinutes(10);
            LogCode(logger, pairing.PairingCode, pairing.ExpiresAtUtc);
            await show(new PairingScreen(pairing.PairingCode, pairing.QrPayload, expires)).ConfigureAwait(false);
            if (await PollAsync(pairing, expires, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>True once paired; false when this pairing is over (expired or unknown) and a new one is needed.</summary>
    private async Task<bool> PollAsync(PairingStartResponse pairing, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, pairing.PollIntervalSeconds));
        var wait = interval;
        while (true)
        {
            await Task.Delay(wait, clock, cancellationToken).ConfigureAwait(false);
            if (clock.GetUtcNow() >= expires)
            {
                return false;
            }

            var status = await api.GetPairingStatusAsync(pairing.PairingId, pairing.PairingSecret, cancellationToken).ConfigureAwait(false);
            switch (status)
            {
                case { IsOk: true, Value: { Status: PlayerProtocol.PairingStatus.Completed, DeviceToken: { Length: > 0 } token } done }:
                    credentials.Store(new StoredDeviceToken(token, done.DeviceId, done.VenueId, UtcText.Format(clock.GetUtcNow())));
                    LogPaired(logger, done.DeviceId, done.VenueId);
                    return true;
                case { IsOk: true, Value.Status: PlayerProtocol.PairingStatus.Expired }:
                case { Status: HttpStatusCode.NotFound or HttpStatusCode.Gone or HttpStatusCode.Forbidden }:
                    return false;
                case { IsOk: true }:
                    // PENDING or CLAIMED (or COMPLETED without a token yet): keep asking.
                    backoff.Reset();
                    wait = interval;
                    break;
                default:
                    var retry = backoff.NextDelay(status.RetryAfter);
                    wait = retry > interval ? retry : interval;
                    break;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pairing code {Code} (expires {ExpiresAtUtc})")]
    private static partial void LogCode(ILogger logger, string code, string expiresAtUtc);

    [LoggerMessage(Level = LogLevel.Information, Message = "Paired as device {DeviceId} in venue {VenueId}")]
    private static partial void LogPaired(ILogger logger, string? deviceId, string? venueId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pairing start failed: {Outcome} {Status}")]
    private static partial void LogStartFailed(ILogger logger, ApiOutcome outcome, int? status);
}
