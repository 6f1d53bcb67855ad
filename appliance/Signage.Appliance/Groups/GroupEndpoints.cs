using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Contracts;
using Signage.Web.Data;
using Signage.Web.Problems;

namespace Signage.Appliance.Groups;

/// <summary>Device groups (spec 26.4): schedule slots can target a group before any screen is paired.</summary>
public static class GroupEndpoints
{
    public static IEndpointRouteBuilder MapGroups(this IEndpointRouteBuilder app)
    {
        var groups = app.MapGroup("/v1/venues/{venueId}/groups");
        groups.MapGet("", List).RequireVenueRole(VenueRank.Viewer);
        groups.MapGet("/{groupId}", Get).RequireVenueRole(VenueRank.Viewer);
        groups.MapPost("", Create).RequireVenueRole(VenueRank.Editor);
        groups.MapPut("/{groupId}", Rename).RequireVenueRole(VenueRank.Editor);
        groups.MapDelete("/{groupId}", Delete).RequireVenueRole(VenueRank.Editor);
        return app;
    }

    /// <summary>By name (unique in a venue, ignoring case), cursor-paginated (spec 27.1).</summary>
    private static async Task<IResult> List(string venueId, string? cursor, int? limit, Database database, CancellationToken cancellationToken)
    {
        if (ListPage.Read(cursor, limit, out var page, KeyPart.Text, KeyPart.Text) is { } badPage) return badPage;
        await using var connection = await database.OpenAsync(cancellationToken);
        return TypedResults.Ok(page.Answer(connection.Query("""
            SELECT group_id, name, updated_at_utc FROM device_group WHERE venue_id = $venue
              AND ($first = 1 OR name COLLATE NOCASE > $name OR (name COLLATE NOCASE = $name AND group_id > $id))
            ORDER BY name COLLATE NOCASE, group_id LIMIT $limit;
            """, null, Map, ("$venue", venueId), ("$first", page.First), ("$name", page.Text(0, "")), ("$id", page.Text(1, "")), ("$limit", page.Fetch)),
            g => [g.Name, g.GroupId]));
    }

    private static async Task<IResult> Get(string venueId, string groupId, Database database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return Load(connection, null, venueId, groupId) is { } group ? TypedResults.Ok(group) : Authentication.NotFound("group");
    }

    internal static async Task<IResult> Create(string venueId, GroupRequest request, Database database, IClock clock, CancellationToken cancellationToken)
    {
        if (Validate(request) is { } invalid) return invalid;
        await using var connection = await database.OpenAsync(cancellationToken);
        using var transaction = connection.BeginTransaction();
        if (NameTaken(connection, transaction, venueId, request.Name, null)) return Taken(request.Name);
        var groupId = Ids.New("grp");
        var now = Sql.Utc(clock.GetCurrentInstant());
        connection.Execute("INSERT INTO device_group (group_id, venue_id, name, created_at_utc, updated_at_utc) VALUES ($group, $venue, $name, $now, $now);",
            transaction, ("$group", groupId), ("$venue", venueId), ("$name", request.Name.Trim()), ("$now", now));
        transaction.Commit();
        return TypedResults.Created($"/v1/venues/{venueId}/groups/{groupId}", Load(connection, null, venueId, groupId));
    }

    private static async Task<IResult> Rename(string venueId, string groupId, GroupRequest request, Database database, IClock clock, CancellationToken cancellationToken)
    {
        if (Validate(request) is { } invalid) return invalid;
        await using var connection = await database.OpenAsync(cancellationToken);
        using var transaction = connection.BeginTransaction();
        if (Load(connection, transaction, venueId, groupId) is null) return Authentication.NotFound("group");
        if (NameTaken(connection, transaction, venueId, request.Name, groupId)) return Taken(request.Name);
        connection.Execute("UPDATE device_group SET name = $name, updated_at_utc = $now WHERE group_id = $group;", transaction,
            ("$name", request.Name.Trim()), ("$now", Sql.Utc(clock.GetCurrentInstant())), ("$group", groupId));
        transaction.Commit();
        return TypedResults.Ok(Load(connection, null, venueId, groupId));
    }

    /// <summary>Refused while a draft or the published schedule targets the group: screens would lose their slots.</summary>
    private static async Task<IResult> Delete(string venueId, string groupId, Database database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var transaction = connection.BeginTransaction();
        if (Load(connection, transaction, venueId, groupId) is null) return Authentication.NotFound("group");
        var used = connection.Scalar<long>("""
            SELECT (SELECT COUNT(*) FROM schedule_slot WHERE venue_id = $venue AND target_type = 'GROUP' AND target_id = $group)
                 + (SELECT COUNT(*) FROM schedule_published_slot p JOIN schedule_set s ON s.venue_id = p.venue_id AND s.published_version = p.version
                    WHERE p.venue_id = $venue AND p.target_type = 'GROUP' AND p.target_id = $group);
            """, transaction, ("$venue", venueId), ("$group", groupId));
        if (used > 0)
            return ProblemResponses.Problem(StatusCodes.Status409Conflict, "GROUP_IN_USE", "Schedule slots target this group; remove them (and publish) first.");
        connection.Execute("DELETE FROM device_group WHERE group_id = $group;", transaction, ("$group", groupId));
        transaction.Commit();
        return TypedResults.NoContent();
    }

    private static GroupResponse? Load(SqliteConnection connection, SqliteTransaction? transaction, string venueId, string groupId) =>
        connection.QuerySingle("SELECT group_id, name, updated_at_utc FROM device_group WHERE group_id = $group AND venue_id = $venue;",
            transaction, Map, ("$group", groupId), ("$venue", venueId));

    private static GroupResponse Map(SqliteDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2));

    private static bool NameTaken(SqliteConnection connection, SqliteTransaction transaction, string venueId, string name, string? exceptGroupId) =>
        connection.Scalar<long>("SELECT COUNT(*) FROM device_group WHERE venue_id = $venue AND name = $name COLLATE NOCASE AND group_id IS NOT $except;",
            transaction, ("$venue", venueId), ("$name", name.Trim()), ("$except", exceptGroupId)) > 0;

    private static IResult? Validate(GroupRequest request) =>
        string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 100
            ? ProblemResponses.Invalid(new() { ["name"] = ["Enter a group name of 1 to 100 characters."] })
            : null;

    private static IResult Taken(string name) =>
        ProblemResponses.Problem(StatusCodes.Status409Conflict, "NAME_TAKEN", $"There is already a group called '{name.Trim()}'.");
}
