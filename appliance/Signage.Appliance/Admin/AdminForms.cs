using Signage.Appliance.Auth;

namespace Signage.Appliance.Admin;

// The venue-role form call; the generic part (FormOutcome, FormState, CallAsync, Outcome) is in
// FormOutcome.cs, which the cloud hub's pages link too.
public static partial class AdminForms
{
    /// <summary>
    /// Runs a JSON API handler for a page form. The route's access rule does not run for a direct
    /// call, so the same role is checked first; <paramref name="etag"/> (the version the page
    /// showed) becomes If-Match, so an edit made meanwhile by someone else is never overwritten unseen.
    /// </summary>
    public static Task<FormOutcome> CallAsync(HttpContext http, AdminVenue venue, VenueRank minimum, string? etag, Func<Task<IResult>> handler) =>
        CallAsync(http, venue.Rank >= minimum, $"This needs the {minimum.ToString().ToUpperInvariant()} role; you have {venue.Rank.ToString().ToUpperInvariant()}.", etag, handler);
}
