using Microsoft.Data.Sqlite;

namespace Signage.Appliance.Venues;

/// <summary>Cross-feature rules about a venue's content, in one place.</summary>
public static class VenueRules
{
    /// <summary>Playlists arrive with the content feature; until then nothing is published.</summary>
    public static bool PlaylistIsPublished(SqliteConnection connection, SqliteTransaction? transaction, string venueId, string playlistId) => false;
}
