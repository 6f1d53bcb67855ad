using System.Text.Json;
using System.Text.Json.Serialization;
using Signage.Player.Core.Auth;
using Signage.Player.Core.Telemetry;

namespace Signage.Player.Core.Storage;

/// <summary>Source-generated JSON for the player's own files and event payloads (wire DTOs use
/// Signage.Contracts' ContractsJsonContext).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StoredDeviceToken))]
[JsonSerializable(typeof(AppStartedPayload))]
[JsonSerializable(typeof(PlayStartPayload))]
[JsonSerializable(typeof(PlayEndPayload))]
[JsonSerializable(typeof(PlaybackFailedPayload))]
[JsonSerializable(typeof(DownloadFailedPayload))]
[JsonSerializable(typeof(ManifestFetchFailedPayload))]
[JsonSerializable(typeof(ManifestEtagPayload))]
[JsonSerializable(typeof(ManifestAppliedPayload))]
[JsonSerializable(typeof(ManifestRejectedPayload))]
[JsonSerializable(typeof(OfflineEnteredPayload))]
[JsonSerializable(typeof(OnlineRestoredPayload))]
[JsonSerializable(typeof(FallbackToPreviousPayload))]
[JsonSerializable(typeof(ReasonPayload))]
[JsonSerializable(typeof(LocalManifestCorruptPayload))]
[JsonSerializable(typeof(CommandPayload))]
[JsonSerializable(typeof(DeviceTokenInvalidPayload))]
[JsonSerializable(typeof(CacheEvictionPayload))]
[JsonSerializable(typeof(AssetCorruptPayload))]
public sealed partial class PlayerJsonContext : JsonSerializerContext;
