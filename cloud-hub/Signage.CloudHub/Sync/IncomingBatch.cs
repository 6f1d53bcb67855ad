using System.Text.Json;
using System.Text.Json.Serialization;
using Signage.Contracts;

namespace Signage.CloudHub.Sync;

/// <summary>
/// A <see cref="SyncUpRequest"/> read in one pass. Binding the contract type would copy every
/// record's data into its own JsonDocument and then parse it a second time as a PlayRecord; plays
/// are the bulk of the traffic, so their data is read straight into a PlayRecord here (the wire
/// format is the contract's, unchanged).
/// </summary>
[JsonConverter(typeof(IncomingBatchConverter))]
internal sealed class IncomingBatch
{
    public List<IncomingRecord> Records { get; } = [];

    public long Backlog { get; set; }
}

/// <summary>One record: <see cref="Play"/> for plays whose kind came before their data, else <see cref="Data"/>.</summary>
internal sealed record IncomingRecord(string RecordId, string Kind, string OccurredAtUtc, PlayRecord? Play, JsonElement Data);

internal sealed class IncomingBatchConverter : JsonConverter<IncomingBatch>
{
    public override IncomingBatch Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        Expect(ref reader, JsonTokenType.StartObject, "a batch object");
        var batch = new IncomingBatch();
        bool sawRecords = false, sawBacklog = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            if (Is(name, "records"))
            {
                Expect(ref reader, JsonTokenType.StartArray, "records as an array");
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (batch.Records.Count >= SyncProtocol.MaxRecordsPerBatch * 2)
                        throw new JsonException($"A batch has at most {SyncProtocol.MaxRecordsPerBatch} records.");
                    batch.Records.Add(ReadRecord(ref reader, batch.Records.Count));
                }
                sawRecords = true;
            }
            else if (Is(name, "backlog"))
            {
                batch.Backlog = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var backlog) ? backlog
                    : throw new JsonException("backlog must be a whole number.");
                sawBacklog = true;
            }
            else
            {
                reader.Skip();
            }
        }
        if (!sawRecords || !sawBacklog) throw new JsonException("A batch needs both 'records' and 'backlog'.");
        return batch;
    }

    private static IncomingRecord ReadRecord(ref Utf8JsonReader reader, int index)
    {
        Expect(ref reader, JsonTokenType.StartObject, $"record {index} as an object");
        string? recordId = null, kind = null, occurredAt = null;
        PlayRecord? play = null;
        JsonElement data = default;
        var sawData = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            if (Is(name, "recordId")) recordId = String(ref reader, index, "recordId");
            else if (Is(name, "kind")) kind = String(ref reader, index, "kind");
            else if (Is(name, "occurredAtUtc")) occurredAt = String(ref reader, index, "occurredAtUtc");
            else if (Is(name, "data"))
            {
                sawData = true;
                if (kind == SyncProtocol.RecordKinds.Play && reader.TokenType == JsonTokenType.StartObject)
                {
                    // The converter gets the whole value buffered, so a play that does not fit the
                    // contract can be read again as plain JSON and refused with its index (422), not as a 400.
                    var start = reader;
                    try
                    {
                        play = JsonSerializer.Deserialize(ref reader, ContractsJsonContext.Default.PlayRecord);
                    }
                    catch (JsonException)
                    {
                        reader = start;
                        data = JsonElement.ParseValue(ref reader);
                    }
                }
                else
                {
                    data = JsonElement.ParseValue(ref reader);
                }
            }
            else reader.Skip();
        }
        if (recordId is null || kind is null || occurredAt is null || !sawData)
            throw new JsonException($"Record {index} needs recordId, kind, occurredAtUtc and data.");
        return new IncomingRecord(recordId, kind, occurredAt, play, data);
    }

    private static string String(ref Utf8JsonReader reader, int index, string field) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException($"Record {index}: {field} must be a string.");

    private static bool Is(string? name, string expected) => string.Equals(name, expected, StringComparison.OrdinalIgnoreCase);

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what)
    {
        if (reader.TokenType != type) throw new JsonException($"Expected {what}.");
    }

    public override void Write(Utf8JsonWriter writer, IncomingBatch value, JsonSerializerOptions options) =>
        throw new NotSupportedException("Incoming batches are only read.");
}

[JsonSerializable(typeof(IncomingBatch))]
internal sealed partial class HubJsonContext : JsonSerializerContext;
