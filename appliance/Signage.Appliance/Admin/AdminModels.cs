using Signage.Contracts;
using Signage.Web.Admin;

namespace Signage.Appliance.Admin;

/// <summary>What every admin page's layout needs: the title, who is signed in, which tab is open.</summary>
public sealed record LayoutModel(string Title, string? UserName, string? VenueName, string? Active, string? SignOutToken);

/// <summary>The venue a page shows, and what the signed-in person may do there.</summary>
public sealed record AdminVenue(string VenueId, string Name, string Timezone, Auth.VenueRank Rank)
{
    public bool CanEdit => Rank >= Auth.VenueRank.Editor;
    public bool CanManage => Rank >= Auth.VenueRank.Manager;
}

public sealed record SetupPage(string Token, IReadOnlyList<string> Zones, string? Error, string Email, string VenueName, string Zone, FormState Form);

public sealed record SignInPage(string Token, string? Error, string Email, string? ReturnTo);

/// <summary>One screen on the dashboard; <paramref name="Seen"/> is already in words ("2 min ago").</summary>
/// <summary>StaleSince: venue-local "14:02" (or "Nov 21 14:02") of the publish an online screen has not applied
/// in time (an open STALE_CONTENT incident), else null.</summary>
public sealed record ScreenCard(DeviceResponse Device, string? AssetName, string? ThumbnailUrl, string? Seen, int OpenIncidents, string? StaleSince = null);

public sealed record DashboardPage(LayoutModel Layout, AdminVenue Venue, IReadOnlyList<ScreenCard> Screens, BarChart Plays, HubConnectionView? Hub);

public sealed record PairPage(LayoutModel Layout, AdminVenue Venue, string Token, string Code, string Name, string? GroupId,
    IReadOnlyList<(string Id, string Name)> Groups, string? Error, string? Paired);

public sealed record LibraryPage(LayoutModel Layout, AdminVenue Venue, IReadOnlyList<AssetResponse> Assets);

public sealed record ContentPage(LayoutModel Layout, AdminVenue Venue, IReadOnlyList<PlaylistSummary> Playlists, ScheduleSetResponse Schedule, FormState Form);

/// <summary>A short page that says one thing (e.g. "that screen is gone") and links back.</summary>
public sealed record MessagePage(LayoutModel Layout, string Message, string Back, string BackText);

public sealed record IncidentView(string IncidentId, string DeviceId, string? DeviceName, string Type, string Severity, string OpenedAtUtc, string? ResolvedAtUtc);

public sealed record ScreensPage(LayoutModel Layout, AdminVenue Venue, IReadOnlyList<ScreenCard> Screens, IReadOnlyList<(string Id, string Name)> Groups,
    FormState Form, string? Done);

public sealed record ScreenPage(LayoutModel Layout, AdminVenue Venue, ScreenCard Screen, string ETag, IReadOnlyList<(string Id, string Name)> Groups,
    IReadOnlyList<IncidentView> Incidents, IReadOnlyList<CommandResponse> Commands, IReadOnlyList<string> Zones, FormState Form, string? Done)
{
    /// <summary>The commands page shown (null: the newest) and the cursor of the next older one.</summary>
    public string? CommandsCursor { get; init; }

    public string? OlderCommands { get; init; }
}

/// <summary>One row of the playlist editor's form.</summary>
public sealed record EditorRow(string AssetId, int? DurationMs, bool Enabled);

public sealed record PlaylistPage(LayoutModel Layout, AdminVenue Venue, PlaylistResponse Draft, string ETag, IReadOnlyList<EditorRow> Rows,
    IReadOnlyDictionary<string, AssetResponse> Assets, IReadOnlyList<PlaylistVersionResponse> Versions, bool Unpublished, string Presence,
    FormState Form, string? Done);

public sealed record ScheduleVersionView(long Version, string PublishedAtUtc, long? RolledBackFrom, int Slots);

/// <summary>"What plays on screen X at time T": the target and local time asked, and the API's answer (or why there is none).</summary>
public sealed record PreviewView(string Target, string? At, ResolveResponse? Result, string? Error);

public sealed record SchedulePage(LayoutModel Layout, AdminVenue Venue, string ETag, long? PublishedVersion, IReadOnlyList<SlotResponse> Slots,
    IReadOnlyList<PlaylistSummary> Playlists, IReadOnlyList<(string Value, string Label)> Targets, SlotResponse? Editing,
    IReadOnlyList<ScheduleVersionView> Versions, PreviewView? Preview, FormState Form, string? Done)
{
    /// <summary>A playlist's colour in the week view: the same playlist is always the same colour.</summary>
    public string Colour(string playlistId)
    {
        string[] palette = ["#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2", "#db2777", "#4d7c0f"];
        var index = Playlists.Select(p => p.PlaylistId).ToList().IndexOf(playlistId);
        return palette[(index < 0 ? 0 : index) % palette.Length];
    }

    public string PlaylistName(string playlistId) => Playlists.FirstOrDefault(p => p.PlaylistId == playlistId)?.Name ?? playlistId;

    public string TargetName(string type, string id) => Targets.FirstOrDefault(t => t.Value == $"{type}:{id}").Label ?? $"{type.ToLowerInvariant()} {id}";
}

public sealed record ReportsPage(LayoutModel Layout, AdminVenue Venue, string From, string To, string GroupBy, ProofOfPlayReport? Report, BarChart? Chart,
    string CsvUrl, FormState Form);

public sealed record IncidentsPage(LayoutModel Layout, AdminVenue Venue, IReadOnlyList<IncidentView> Incidents, bool Newest, string? NextCursor);

public sealed record AuditPage(LayoutModel Layout, AdminVenue Venue, IReadOnlyList<AuditEntry> Entries, string? NextCursor,
    IReadOnlyDictionary<string, string> UserNames, string? Refused);

/// <summary>What the settings page says about the cloud hub: where, whether the last sync worked, when.
/// Filled by the hub-sync feature (see <see cref="AdminEndpoints.HubConnection"/>).</summary>
public sealed record HubConnectionView(string HubUrl, string Status, string? LastSyncAtUtc, string? LastError, int PendingRecords);

public sealed record OpeningHoursForm(string FormName, IReadOnlyList<OpeningHours> Stored, FormState Form);

public sealed record SettingsPage(LayoutModel Layout, AdminVenue Venue, VenueResponse Details, string ETag, IReadOnlyList<string> Zones,
    IReadOnlyList<(string Id, string Name)> Fallbacks, bool IsAdmin, string MyUserId, IReadOnlyList<UserResponse> Users, HubConnectionView? Hub,
    FormState Form, string? Done);
