using Signage.Contracts;

namespace Signage.Appliance.Admin;

/// <summary>What every admin page's layout needs: the title, who is signed in, which tab is open.</summary>
public sealed record LayoutModel(string Title, string? UserName, string? VenueName, string? Active, string? SignOutToken);

/// <summary>The venue a page shows, and what the signed-in person may do there.</summary>
public sealed record AdminVenue(string VenueId, string Name, string Timezone, Auth.VenueRank Rank)
{
    public bool CanEdit => Rank >= Auth.VenueRank.Editor;
    public bool CanManage => Rank >= Auth.VenueRank.Manager;
}

public sealed record SetupPage(string Token, IReadOnlyList<string> Zones, string? Error, string Email, string VenueName, string Zone);

public sealed record SignInPage(string Token, string? Error, string Email, string? ReturnTo);

/// <summary>One screen on the dashboard; <paramref name="Seen"/> is already in words ("2 min ago").</summary>
public sealed record ScreenCard(DeviceResponse Device, string? AssetName, string? ThumbnailUrl, string? Seen);

public sealed record DashboardPage(LayoutModel Layout, AdminVenue Venue, IReadOnlyList<ScreenCard> Screens);

public sealed record PairPage(LayoutModel Layout, AdminVenue Venue, string Token, string Code, string Name, string? GroupId,
    IReadOnlyList<(string Id, string Name)> Groups, string? Error, string? Paired);

public sealed record LibraryPage(LayoutModel Layout, AdminVenue Venue, IReadOnlyList<AssetResponse> Assets);

public sealed record ContentPage(LayoutModel Layout, AdminVenue Venue, IReadOnlyList<PlaylistSummary> Playlists, ScheduleSetResponse Schedule);
