using System.Data.Common;
using System.Text.Json;
using NodaTime;
using Signage.CloudHub.Auth;
using Signage.CloudHub.Data;
using Signage.CloudHub.Sync;
using Signage.Contracts;
using Signage.Web.Data;
using Signage.Web.Problems;

namespace Signage.CloudHub.Tenancy;

/// <summary>Tenant admins manage their venues (spec 27.4). Every query filters by the route's tenant,
/// which the access rule has matched to the caller's: another tenant's venue is simply not found.</summary>
public static class VenueEndpoints
{
    public static IEndpointRouteBuilder MapHubVenues(this IEndpointRouteBuilder app)
    {
        var venues = app.MapGroup("/v1/tenants/{tenantId}/venues").RequireTenantAdmin();
        venues.MapPost("", Create);
        venues.MapGet("", List);
        venues.MapGet("/{venueId}", Get);
        venues.MapPut("/{venueId}", Update);
        return app;
    }

    internal const string Columns = "venue_id, tenant_id, name, timezone, opening_hours::text, appliance_venue_id, updated_at";

    internal static HubVenueResponse Read(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
        JsonSerializer.Deserialize(r.GetString(4), ContractsJsonContext.Default.OpeningHoursArray) ?? [], r.NullableString(5), Sql.Utc(r.GetDateTime(6)));

    internal static async Task<IResult> Create(string tenantId, HubVenueRequest request, HubDatabase database, IClock clock, CancellationToken cancellationToken)
    {
        if (Validate(request) is { } invalid) return invalid;
        var venueId = Secrets.NewId("ven");
        var venue = await database.InTransactionAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync("""
                INSERT INTO venue (venue_id, tenant_id, name, timezone, opening_hours, updated_at) VALUES (@id, @tenant, @name, @zone, @hours, @now);
                """, transaction, ("id", venueId), ("tenant", tenantId), ("name", request.Name.Trim()), ("zone", request.Timezone.Trim()),
                ("hours", Sql.Jsonb(JsonSerializer.Serialize(request.OpeningHours ?? [], ContractsJsonContext.Default.OpeningHoursArray))),
                ("now", clock.GetCurrentInstant().ToDateTimeUtc()));
            await ChangeFeed.VenueChangedAsync(connection, transaction, tenantId, venueId);
            await ChangeFeed.TenantWideUsersForNewVenueAsync(connection, transaction, tenantId);
            return await connection.QuerySingleAsync($"SELECT {Columns} FROM venue WHERE venue_id = @id;", transaction, Read, ("id", venueId));
        }, cancellationToken);
        return TypedResults.Created($"/v1/tenants/{tenantId}/venues/{venueId}", venue);
    }

    /// <summary>By name, cursor-paginated (spec 27.1).</summary>
    internal static async Task<IResult> List(string tenantId, string? cursor, int? limit, HubDatabase database, CancellationToken cancellationToken)
    {
        if (ListPage.Read(cursor, limit, out var page, KeyPart.Text, KeyPart.Text) is { } badPage) return badPage;
        await using var connection = await database.OpenAsync(cancellationToken);
        var venues = await connection.QueryAsync($"""
            SELECT {Columns} FROM venue WHERE tenant_id = @tenant {(page.First ? "" : "AND (name, venue_id) > (@name, @id)")}
            ORDER BY name, venue_id LIMIT @limit;
            """, null, Read, ("tenant", tenantId), ("name", page.Text(0, "")), ("id", page.Text(1, "")), ("limit", page.Fetch));
        return TypedResults.Ok(page.Answer(venues, v => [v.Name, v.VenueId]));
    }

    internal static async Task<IResult> Get(string tenantId, string venueId, HubDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var venue = await connection.QuerySingleAsync($"SELECT {Columns} FROM venue WHERE venue_id = @id AND tenant_id = @tenant;", null, Read,
            ("id", venueId), ("tenant", tenantId));
        return venue is null ? Authentication.NotFound("venue") : TypedResults.Ok(venue);
    }

    internal static async Task<IResult> Update(string tenantId, string venueId, HubVenueRequest request, HubDatabase database, IClock clock, CancellationToken cancellationToken)
    {
        if (Validate(request) is { } invalid) return invalid;
        var venue = await database.InTransactionAsync(async (connection, transaction) =>
        {
            var changed = await connection.ExecuteAsync("""
                UPDATE venue SET name = @name, timezone = @zone, opening_hours = @hours, updated_at = @now WHERE venue_id = @id AND tenant_id = @tenant;
                """, transaction, ("id", venueId), ("tenant", tenantId), ("name", request.Name.Trim()), ("zone", request.Timezone.Trim()),
                ("hours", Sql.Jsonb(JsonSerializer.Serialize(request.OpeningHours ?? [], ContractsJsonContext.Default.OpeningHoursArray))),
                ("now", clock.GetCurrentInstant().ToDateTimeUtc()));
            if (changed == 0) return null;
            await ChangeFeed.VenueChangedAsync(connection, transaction, tenantId, venueId);
            return await connection.QuerySingleAsync($"SELECT {Columns} FROM venue WHERE venue_id = @id;", transaction, Read, ("id", venueId));
        }, cancellationToken);
        return venue is null ? Authentication.NotFound("venue") : TypedResults.Ok(venue);
    }

    private static IResult? Validate(HubVenueRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        Validation.Name(errors, "name", request.Name, allowBlank: true);
        Validation.Timezone(errors, request.Timezone.Trim());
        Validation.OpeningHours(errors, request.OpeningHours ?? []);
        return errors.Count > 0 ? ProblemResponses.Invalid(errors) : null;
    }
}
