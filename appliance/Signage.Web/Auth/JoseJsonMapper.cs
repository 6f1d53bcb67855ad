using System.Text.Json;
using System.Text.Json.Serialization;

namespace Signage.Web.Auth;

/// <summary>
/// jose-jwt's default JSON mapper uses reflection, which native AOT does not have. It only ever
/// maps flat JOSE headers and claim sets, so a source-generated dictionary mapping is enough:
/// values come back as string, long, double, bool, null or arrays of those.
/// </summary>
public sealed class JoseJsonMapper : Jose.IJsonMapper
{
    public string Serialize(object obj) => obj switch
    {
        string json => json,
        IDictionary<string, object> claims => JsonSerializer.Serialize(new Dictionary<string, object>(claims), JoseJsonContext.Default.DictionaryStringObject),
        _ => throw new NotSupportedException($"JOSE mapper cannot serialize {obj.GetType().Name}."),
    };

    public T Parse<T>(string json)
    {
        var raw = JsonSerializer.Deserialize(json, JoseJsonContext.Default.DictionaryStringJsonElement)
            ?? throw new JsonException("JOSE object is null.");
        var result = new Dictionary<string, object>(raw.Count);
        foreach (var (name, value) in raw) result[name] = ToPrimitive(value)!;
        return result is T typed ? typed : throw new NotSupportedException($"JOSE mapper cannot parse into {typeof(T).Name}.");
    }

    private static object? ToPrimitive(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var whole) ? (object)whole : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => element.EnumerateArray().Select(ToPrimitive).ToList(),
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => ToPrimitive(p.Value)),
        _ => null,
    };
}

[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class JoseJsonContext : JsonSerializerContext;
