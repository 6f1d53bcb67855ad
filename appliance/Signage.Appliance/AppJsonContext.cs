using System.Text.Json;
using System.Text.Json.Serialization;

namespace Signage.Appliance;

/// <summary>
/// Source-generated JSON for the appliance's own types, and the primitives that problem+json
/// extension values use (serialized as <c>object</c>, so they need type info of their own).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(Dictionary<string, string[]>))]
internal sealed partial class AppJsonContext : JsonSerializerContext;
