using System.Text.Json;
using System.Text.Json.Serialization;
using Signage.Player.Core.State;

namespace Signage.Player.Headless;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PlayerStatus))]
[JsonSerializable(typeof(Frame))]
internal sealed partial class HeadlessJsonContext : JsonSerializerContext;
