namespace Signage.Contracts;

// Groups, campaigns, playlists and the schedule set (spec 6, 7, 15, 26.7, 26.8, 27.6).
// Optional request fields have defaults (see Accounts.cs).

public sealed record GroupRequest(string Name);

public sealed record GroupResponse(string GroupId, string Name, string UpdatedAtUtc);

/// <summary>Dates are ISO local dates (yyyy-MM-dd), inclusive.</summary>
public sealed record CampaignRequest(string BrandName, string Name, string? StartDate = null, string? EndDate = null);

public sealed record CampaignResponse(string CampaignId, string BrandName, string Name, string? StartDate, string? EndDate, string UpdatedAtUtc);

public sealed record CreatePlaylistRequest(string Name, string? CampaignId = null);

public sealed record UpdatePlaylistRequest(string Name, string? CampaignId = null);

/// <summary>One draft item. Images need a duration (default 10 s); a video's defaults to its own length.</summary>
public sealed record PlaylistItemRequest(string AssetId, int? DurationMs = null, bool Enabled = true);

public sealed record SetPlaylistItemsRequest(PlaylistItemRequest[] Items);

public sealed record ReorderPlaylistRequest(string[] ItemIds);

public sealed record PlaylistItemResponse(string ItemId, string AssetId, int? DurationMs, bool Enabled, string? AssetStatus, string? MediaType);

public sealed record PlaylistResponse(string PlaylistId, string Name, string? CampaignId, long DraftVersion, long? PublishedVersion,
    PlaylistItemResponse[] Items, string UpdatedAtUtc);

public sealed record PlaylistSummary(string PlaylistId, string Name, string? CampaignId, long DraftVersion, long? PublishedVersion, int ItemCount, string UpdatedAtUtc);

public sealed record PublishedItem(string AssetId, string Sha256, string MediaType, int DurationMs);

public sealed record PlaylistVersionResponse(long Version, string Name, string? CampaignId, string PublishedAtUtc, string? PublishedByUserId,
    long? RolledBackFromVersion, PublishedItem[] Items);

public sealed record RollbackRequest(long Version);

/// <summary>A schedule slot as edited (spec 26.8). Times are local minutes 0–1439; days bit 0 = Monday.</summary>
public sealed record SlotRequest(string TargetType, string TargetId, string PlaylistId, int DaysOfWeekMask, int StartMinutes, int EndMinutes,
    int Priority = 0, string? ValidFromDate = null, string? ValidToDate = null, bool Enabled = true);

public sealed record SlotResponse(string SlotId, string TargetType, string TargetId, string PlaylistId, int DaysOfWeekMask, int StartMinutes,
    int EndMinutes, int Priority, string? ValidFromDate, string? ValidToDate, bool Enabled, string UpdatedAtUtc);

public sealed record ScheduleSetResponse(long DraftVersion, long? PublishedVersion, SlotResponse[] Slots);

public sealed record ScheduleVersionResponse(long Version, string PublishedAtUtc, string? PublishedByUserId, long? RolledBackFromVersion, SlotResponse[] Slots);

public sealed record PublishEventResponse(long PublishId, string Kind, string TargetId, long Version, string Action, string? ActorUserId, string CreatedAtUtc);

public sealed record TimelineSegmentResponse(string FromUtc, string ToUtc, string? PlaylistId);

/// <summary>GET /v1/venues/{venueId}/schedule/resolve: what the published schedule plays.</summary>
public sealed record ResolveResponse(string? PlaylistId, string Source, string? SlotId, string ValidToUtc, string Timezone,
    long? ScheduleVersion, TimelineSegmentResponse[] Timeline);
