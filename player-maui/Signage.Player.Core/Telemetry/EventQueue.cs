using System.Text.Json;
using Signage.Contracts;
using Signage.Player.Core.Storage;

namespace Signage.Player.Core.Telemetry;

/// <summary>The durable outbox of events (seed 000 steps 1–2, spec 27.8.3): an event is on disk before
/// <see cref="Record"/> returns and leaves only when the appliance has answered 2xx for it, or when it is
/// older than the age limit (then it is counted as dropped).</summary>
public sealed class EventQueue
{
    private const string SequenceKey = "events.lastSequence";
    private const string DroppedKey = "events.dropped";

    private readonly PlayerDatabase _database;
    private readonly TimeProvider _clock;
    private long _lastSequence;

    public EventQueue(PlayerDatabase database, TimeProvider clock)
    {
        _database = database;
        _clock = clock;
        // The counter is kept apart from the rows: the queue may be empty, the sequence must go on.
        _lastSequence = Math.Max(database.GetValue(SequenceKey), database.Read(c => c.ExecuteScalar<long>("SELECT IFNULL(MAX(Sequence), 0) FROM queued_events")));
    }

    /// <summary>Assigns the next sequence and a new eventId and stores the event, in one transaction (with <paramref name="alongside"/>, if given).</summary>
    public PlayerEvent Record(string eventType, string severity, JsonElement? payload, Action<SQLite.SQLiteConnection>? alongside = null)
    {
        var now = _clock.GetUtcNow();
        return _database.Write(connection =>
        {
            var sequence = _lastSequence + 1;
            var row = new QueuedEventRow
            {
                Sequence = sequence,
                // Version 7: time-ordered, so the appliance's index on eventId stays append-mostly.
                EventId = Guid.CreateVersion7(now).ToString(),
                EventType = eventType,
                EventTimeUtc = UtcText.Format(now),
                EventTimeTicks = now.UtcTicks,
                Severity = severity,
                PayloadJson = payload?.GetRawText(),
            };
            connection.Insert(row);
            connection.InsertOrReplace(new StateValueRow { Key = SequenceKey, Value = sequence });
            alongside?.Invoke(connection);
            _lastSequence = sequence;
            return ToEvent(row);
        });
    }

    public int Count => _database.Read(c => c.Table<QueuedEventRow>().Count());

    /// <summary>The play a PLAY_START opened and no PLAY_END has ended yet, if any.</summary>
    public OpenPlayRow? OpenPlay => _database.Read(c => c.Find<OpenPlayRow>(1));

    public long DroppedCount => _database.GetValue(DroppedKey);

    public long LastSequence => _database.Read(_ => _lastSequence);

    /// <summary>The oldest events, in sequence order.</summary>
    public IReadOnlyList<PlayerEvent> Peek(int max) =>
        _database.Read(c => c.Table<QueuedEventRow>().OrderBy(r => r.Sequence).Take(max).ToList()).Select(ToEvent).ToList();

    public void Remove(IReadOnlyCollection<long> sequences)
    {
        if (sequences.Count == 0)
        {
            return;
        }

        _database.Write(connection =>
        {
            foreach (var sequence in sequences)
            {
                connection.Delete<QueuedEventRow>(sequence);
            }
        });
    }

    /// <summary>Drops events that happened before <paramref name="cutoff"/>; returns how many.</summary>
    public int DropOlderThan(DateTimeOffset cutoff) => _database.Write(connection =>
    {
        var dropped = connection.Execute("DELETE FROM queued_events WHERE EventTimeTicks < ?", cutoff.UtcTicks);
        if (dropped > 0)
        {
            var total = (connection.Find<StateValueRow>(DroppedKey)?.Value ?? 0) + dropped;
            connection.InsertOrReplace(new StateValueRow { Key = DroppedKey, Value = total });
        }

        return dropped;
    });

    private static PlayerEvent ToEvent(QueuedEventRow row) => new(row.EventId, row.Sequence, row.EventType, row.EventTimeUtc, row.Severity,
        row.PayloadJson is null ? null : JsonDocument.Parse(row.PayloadJson).RootElement.Clone());
}
