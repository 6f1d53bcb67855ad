using System.Text.Json;
using System.Text.Json.Serialization;

namespace Signage.Contracts;

/// <summary>Source-generated JSON for every wire contract (native AOT has no reflection-based JSON).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(HealthReport))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
