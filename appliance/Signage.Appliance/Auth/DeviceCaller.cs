namespace Signage.Appliance.Auth;

/// <summary>The screen making this request, from a valid device token of a device that still exists
/// in the venue the token names, with the token version still current.</summary>
public sealed record DeviceCaller(string DeviceId, string VenueId, string TenantId)
{
    private const string ItemKey = "signage.device";

    /// <summary>Minimal-API binding: the device that <see cref="Authentication"/> attached, if any.</summary>
    public static ValueTask<DeviceCaller?> BindAsync(HttpContext context) => ValueTask.FromResult(Of(context));

    public static DeviceCaller? Of(HttpContext context) => context.Items.TryGetValue(ItemKey, out var value) ? value as DeviceCaller : null;

    internal void AttachTo(HttpContext context) => context.Items[ItemKey] = this;
}
