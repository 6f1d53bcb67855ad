using System.Text.Json;
using System.Text.Json.Serialization;

namespace Signage.Contracts;

/// <summary>Source-generated JSON for every wire contract (native AOT has no reflection-based JSON).</summary>
// Strict reading for clients using this context directly (the appliance sets the same options on
// its own JsonSerializerOptions, which is what applies when a context sits in a resolver chain).
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true,
    RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(RefreshRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(MeResponse))]
[JsonSerializable(typeof(ItemsResponse<VenueAccess>))]
[JsonSerializable(typeof(CreateUserRequest))]
[JsonSerializable(typeof(UserResponse))]
[JsonSerializable(typeof(ItemsResponse<UserResponse>))]
[JsonSerializable(typeof(SetVenueRolesRequest))]
[JsonSerializable(typeof(VenueResponse))]
[JsonSerializable(typeof(UpdateVenueRequest))]
[JsonSerializable(typeof(ItemsResponse<AuditEntry>))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
