using System.Net;
using Microsoft.Extensions.Logging;
using Signage.Contracts;
using Signage.Player.Core.Api;
using Signage.Player.Core.Configuration;
using Signage.Player.Core.Resilience;
using Signage.Player.Core.Storage;

namespace Signage.Player.Core.Commands;

/// <summary>SYNC_COMMANDS (spec 28.7): polls GET /v1/player/commands, holds new commands until playback
/// reaches a safe boundary, remembers every processed command in SQLite (so a command seen again is not
/// run again) and delivers results until the appliance has taken them.</summary>
public sealed partial class CommandInbox(ApplianceApi api, PlayerDatabase database, PlayerOptions options, TimeProvider clock, Backoff backoff,
    ILogger logger)
{
    private static readonly TimeSpan KeepProcessed = TimeSpan.FromDays(30);

    private readonly Lock _gate = new();
    private readonly Queue<PlayerCommand> _pending = new();
    private readonly HashSet<string> _pendingIds = new(StringComparer.Ordinal);

    /// <summary>Raised when new commands wait for a safe boundary.</summary>
    public event Action? Arrived;

    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    public async Task<TimeSpan> PollOnceAsync(CancellationToken cancellationToken)
    {
        await DeliverUnsentResultsAsync(cancellationToken).ConfigureAwait(false);
        var result = await api.GetCommandsAsync(cancellationToken).ConfigureAwait(false);
        if (!result.IsOk)
        {
            return backoff.NextDelay(result.Outcome == ApiOutcome.Throttled ? result.RetryAfter : null);
        }

        backoff.Reset();
        var arrived = false;
        foreach (var command in result.Value?.Commands ?? [])
        {
            var processed = database.Read(c => c.Find<ProcessedCommandRow>(command.CommandId));
            if (processed is not null)
            {
                // Done before; the appliance may not have our result yet.
                if (!processed.ResultDelivered)
                {
                    await DeliverAsync(processed, cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            lock (_gate)
            {
                if (_pendingIds.Add(command.CommandId))
                {
                    _pending.Enqueue(command);
                    arrived = true;
                }
            }
        }

        if (arrived)
        {
            Arrived?.Invoke();
        }

        return options.CommandPollInterval;
    }

    /// <summary>Takes the next command to execute now (called at a safe boundary).</summary>
    public bool TryTake(out PlayerCommand command)
    {
        lock (_gate)
        {
            return _pending.TryDequeue(out command!);
        }
    }

    /// <summary>Records the outcome durably; the poll loop delivers it (playback never waits on the network).
    /// Recording before reporting means a command is executed at most once, its result retried until delivered.</summary>
    public void Complete(PlayerCommand command, string status, string? message)
    {
        var now = clock.GetUtcNow();
        var row = new ProcessedCommandRow
        {
            CommandId = command.CommandId,
            CommandType = command.CommandType,
            Status = status,
            Message = message,
            ProcessedTicks = now.UtcTicks,
        };
        database.Write(c =>
        {
            c.InsertOrReplace(row);
            c.Execute("DELETE FROM processed_commands WHERE ResultDelivered = 1 AND ProcessedTicks < ?", (now - KeepProcessed).UtcTicks);
        });
        lock (_gate)
        {
            _pendingIds.Remove(command.CommandId);
        }
    }

    public async Task DeliverUnsentResultsAsync(CancellationToken cancellationToken)
    {
        var unsent = database.Read(c => c.Table<ProcessedCommandRow>().Where(r => !r.ResultDelivered).ToList());
        foreach (var row in unsent)
        {
            await DeliverAsync(row, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DeliverAsync(ProcessedCommandRow row, CancellationToken cancellationToken)
    {
        var result = await api.PostCommandResultAsync(row.CommandId, new CommandResultRequest(row.Status, row.Message), cancellationToken)
            .ConfigureAwait(false);
        // 404/409/410: the appliance no longer wants this result (deleted, already answered, expired).
        if (result.IsOk || result.Status is HttpStatusCode.NotFound or HttpStatusCode.Conflict or HttpStatusCode.Gone)
        {
            row.ResultDelivered = true;
            database.Write(c => c.Update(row));
            return;
        }

        LogUndelivered(logger, row.CommandId, result.Outcome, result.StatusCode);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Result of command {CommandId} not delivered yet ({Outcome} {Status})")]
    private static partial void LogUndelivered(ILogger logger, string commandId, ApiOutcome outcome, int? status);
}
