using System.Globalization;
using Signage.Contracts;

namespace Signage.Appliance.Sync;

/// <summary>
/// How the appliance talks to its hub. Read from configuration as plain strings (no binder under
/// native AOT): <c>--Hub:SyncIntervalSeconds=10</c> on the command line or <c>Hub__SyncIntervalSeconds</c>
/// in the environment. README's settings table lists them.
/// </summary>
public sealed record SyncSettings(TimeSpan Interval, int BatchSize, TimeSpan RequestTimeout, int MaxRetries, TimeSpan BreakDuration, int OutboxRetentionDays)
{
    public static SyncSettings From(IConfiguration configuration)
    {
        int Read(string name, int fallback, int min, int max)
        {
            var text = configuration[$"Hub:{name}"];
            if (string.IsNullOrWhiteSpace(text)) return fallback;
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
                throw new Hosting.StartupException($"Setting Hub:{name} must be a whole number from {min} to {max}, not '{text}'.");
            return value;
        }

        return new SyncSettings(
            Interval: TimeSpan.FromSeconds(Read("SyncIntervalSeconds", 30, 1, 86_400)),
            BatchSize: Read("BatchSize", SyncProtocol.MaxRecordsPerBatch, 1, SyncProtocol.MaxRecordsPerBatch),
            RequestTimeout: TimeSpan.FromSeconds(Read("RequestTimeoutSeconds", 60, 1, 3600)),
            MaxRetries: Read("MaxRetries", 4, 0, 20),
            BreakDuration: TimeSpan.FromSeconds(Read("BreakSeconds", 30, 1, 3600)),
            OutboxRetentionDays: Read("OutboxRetentionDays", 30, 1, 3650));
    }
}
