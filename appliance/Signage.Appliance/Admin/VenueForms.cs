using Signage.Appliance.Auth;
using Signage.Web.Admin;

namespace Signage.Appliance.Admin;

/// <summary>The venue-role form call; the generic part (FormOutcome, FormState, AdminForms) is shared with the hub (Signage.Web).</summary>
public static class VenueForms
{
    /// <summary>
    /// Runs a JSON API handler for a page form. The route's access rule does not run for a direct
    /// call, so the same role is checked first; <paramref name="etag"/> (the version the page
    /// showed) becomes If-Match, so an edit made meanwhile by someone else is never overwritten unseen.
    /// </summary>
    public static Task<FormOutcome> CallAsync(HttpContext http, AdminVenue venue, VenueRank minimum, string? etag, Func<Task<IResult>> handler) =>
        AdminForms.CallAsync(http, venue.Rank >= minimum, $"This needs the {minimum.ToString().ToUpperInvariant()} role; you have {venue.Rank.ToString().ToUpperInvariant()}.", etag, handler);
}
