using Npgsql;
using NodaTime;
using Signage.CloudHub.Auth;
using Signage.CloudHub.Data;
using Signage.CloudHub.Sync;
using Signage.Contracts;
using Signage.Web.Data;
using Signage.Web.Problems;

namespace Signage.CloudHub.Tenancy;

/// <summary>Tenant admins manage people: tenant roles, venue roles and capability flags (spec 25.4, 27.4).
/// Every change reaches the venues through the change feed (offline sign-in).</summary>
public static class UserEndpoints
{
    public static IEndpointRouteBuilder MapHubUsers(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/v1/tenants/{tenantId}/users").RequireTenantAdmin();
        users.MapPost("", Create);
        users.MapGet("", List);
        users.MapGet("/{userId}", Get);
        users.MapPut("/{userId}/venue-roles", SetVenueRoles);
        users.MapGet("/{userId}/capabilities", GetCapabilities);
        users.MapPut("/{userId}/capabilities", SetCapabilities);
        return app;
    }

    public static async Task<bool> EmailTakenAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string email) =>
        await connection.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM user_account WHERE lower(email) = lower(@email));", transaction, ("email", email.Trim()));

    public static IResult EmailTaken() => ProblemResponses.Problem(StatusCodes.Status409Conflict, "EMAIL_TAKEN", "A user with this email already exists.");

    internal static async Task<IResult> Create(string tenantId, CreateUserRequest request, HubDatabase database, IClock clock, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        Validation.Email(errors, "email", request.Email.Trim());
        Validation.Name(errors, "displayName", request.DisplayName);
        Validation.Password(errors, "password", request.Password);
        if ((request.TenantRoles ?? []).Any(r => !Roles.TenantRoles.Contains(r))) errors["tenantRoles"] = [$"Tenant roles are {string.Join(", ", Roles.TenantRoles)}."];
        if (errors.Count > 0) return ProblemResponses.Invalid(errors);

        var userId = Secrets.NewId("usr");
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await EmailTakenAsync(connection, transaction, request.Email)) return EmailTaken();
        if (await CheckVenueRolesAsync(connection, transaction, tenantId, request.VenueRoles ?? []) is { } invalid) return invalid;
        await connection.ExecuteAsync("""
            INSERT INTO user_account (user_id, tenant_id, email, display_name, password_hash, created_at) VALUES (@id, @tenant, @email, @name, @hash, @now);
            """, transaction, ("id", userId), ("tenant", tenantId), ("email", request.Email.Trim()), ("name", request.DisplayName.Trim()),
            ("hash", Secrets.Passwords.HashPassword("", request.Password)), ("now", clock.GetCurrentInstant().ToDateTimeUtc()));
        foreach (var role in (request.TenantRoles ?? []).Distinct())
            await connection.ExecuteAsync("INSERT INTO tenant_user_role (user_id, role) VALUES (@id, @role);", transaction, ("id", userId), ("role", role));
        await WriteVenueRolesAsync(connection, transaction, userId, request.VenueRoles ?? []);
        await ChangeFeed.UserChangedAsync(connection, transaction, tenantId, userId);
        var user = await LoadAsync(connection, transaction, tenantId, userId);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/v1/tenants/{tenantId}/users/{userId}", user);
    }

    /// <summary>By email (as sign-in compares it: lower-cased, which PostgreSQL does, not .NET), cursor-paginated (spec 27.1).</summary>
    internal static async Task<IResult> List(string tenantId, string? cursor, int? limit, HubDatabase database, CancellationToken cancellationToken)
    {
        if (ListPage.Read(cursor, limit, out var page, KeyPart.Text, KeyPart.Text) is { } badPage) return badPage;
        await using var connection = await database.OpenAsync(cancellationToken);
        var keys = await connection.QueryAsync($"""
            SELECT user_id, lower(email) FROM user_account WHERE tenant_id = @tenant {(page.First ? "" : "AND (lower(email), user_id) > (@email, @id)")}
            ORDER BY lower(email), user_id LIMIT @limit;
            """, null, r => (Id: r.GetString(0), Email: r.GetString(1)), ("tenant", tenantId), ("email", page.Text(0, "")), ("id", page.Text(1, "")),
            ("limit", page.Fetch));
        var ids = page.Answer(keys, k => [k.Email, k.Id], k => k.Id);
        var users = new List<UserResponse>();
        foreach (var id in ids.Items) users.Add((await LoadAsync(connection, null, tenantId, id))!);
        return TypedResults.Ok(new ItemsResponse<UserResponse>(users, ids.NextCursor));
    }

    internal static async Task<IResult> Get(string tenantId, string userId, HubDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await LoadAsync(connection, null, tenantId, userId) is { } user ? TypedResults.Ok(user) : Authentication.NotFound("user");
    }

    internal static async Task<IResult> SetVenueRoles(string tenantId, string userId, SetVenueRolesRequest request, HubDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await UserInTenantAsync(connection, transaction, tenantId, userId)) return Authentication.NotFound("user");
        if (await CheckVenueRolesAsync(connection, transaction, tenantId, request.VenueRoles) is { } invalid) return invalid;
        await connection.ExecuteAsync("DELETE FROM venue_user_role WHERE user_id = @id;", transaction, ("id", userId));
        await WriteVenueRolesAsync(connection, transaction, userId, request.VenueRoles);
        await ChangeFeed.UserChangedAsync(connection, transaction, tenantId, userId);
        var user = await LoadAsync(connection, transaction, tenantId, userId);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(user);
    }

    private static async Task<IResult> GetCapabilities(string tenantId, string userId, HubDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        if (!await UserInTenantAsync(connection, null, tenantId, userId)) return Authentication.NotFound("user");
        return TypedResults.Ok(await CapabilitiesAsync(connection, null, userId));
    }

    internal static async Task<IResult> SetCapabilities(string tenantId, string userId, SetCapabilitiesRequest request, HubDatabase database, CancellationToken cancellationToken)
    {
        if (request.Capabilities.Any(c => !Capabilities.All.Contains(c)))
            return ProblemResponses.Invalid(new() { ["capabilities"] = [$"Known capabilities: {string.Join(", ", Capabilities.All)}."] });
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await UserInTenantAsync(connection, transaction, tenantId, userId)) return Authentication.NotFound("user");
        await connection.ExecuteAsync("DELETE FROM user_capability WHERE user_id = @id;", transaction, ("id", userId));
        foreach (var capability in request.Capabilities.Distinct())
            await connection.ExecuteAsync("INSERT INTO user_capability (user_id, capability) VALUES (@id, @cap);", transaction, ("id", userId), ("cap", capability));
        var result = await CapabilitiesAsync(connection, transaction, userId);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(result);
    }

    private static async Task<CapabilitiesResponse> CapabilitiesAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string userId) =>
        new(userId, [.. await connection.QueryAsync("SELECT capability FROM user_capability WHERE user_id = @id ORDER BY capability;", transaction,
            r => r.GetString(0), ("id", userId))]);

    private static Task<bool> UserInTenantAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string tenantId, string userId) =>
        connection.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM user_account WHERE user_id = @id AND tenant_id = @tenant);", transaction,
            ("id", userId), ("tenant", tenantId));

    /// <summary>Known roles, each venue of this tenant (another tenant's venue id is "not found"), each venue once.</summary>
    private static async Task<IResult?> CheckVenueRolesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tenantId, VenueRoleGrant[] grants)
    {
        if (grants.Any(g => !Roles.VenueRoles.Contains(g.Role)))
            return ProblemResponses.Invalid(new() { ["venueRoles"] = [$"Venue roles are {string.Join(", ", Roles.VenueRoles)}."] });
        if (grants.GroupBy(g => g.VenueId).Any(g => g.Count() > 1))
            return ProblemResponses.Invalid(new() { ["venueRoles"] = ["Give each venue at most one role."] });
        foreach (var grant in grants)
        {
            if (!await connection.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM venue WHERE venue_id = @venue AND tenant_id = @tenant);", transaction,
                    ("venue", grant.VenueId), ("tenant", tenantId)))
                return Authentication.NotFound("venue");
        }
        return null;
    }

    private static async Task WriteVenueRolesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string userId, VenueRoleGrant[] grants)
    {
        foreach (var grant in grants)
            await connection.ExecuteAsync("INSERT INTO venue_user_role (user_id, venue_id, role) VALUES (@id, @venue, @role);", transaction,
                ("id", userId), ("venue", grant.VenueId), ("role", grant.Role));
    }

    private static async Task<UserResponse?> LoadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string tenantId, string userId)
    {
        var user = await connection.QuerySingleAsync(
            "SELECT email, display_name, disabled FROM user_account WHERE user_id = @id AND tenant_id = @tenant;", transaction,
            r => new { Email = r.GetString(0), Name = r.GetString(1), Disabled = r.GetBoolean(2) }, ("id", userId), ("tenant", tenantId));
        if (user is null) return null;
        var tenantRoles = await connection.QueryAsync("SELECT role FROM tenant_user_role WHERE user_id = @id ORDER BY role;", transaction, r => r.GetString(0), ("id", userId));
        var venueRoles = await connection.QueryAsync("SELECT venue_id, role FROM venue_user_role WHERE user_id = @id ORDER BY venue_id;", transaction,
            r => new VenueRoleGrant(r.GetString(0), r.GetString(1)), ("id", userId));
        return new UserResponse(userId, tenantId, user.Email, user.Name, user.Disabled, [.. tenantRoles], [.. venueRoles]);
    }
}
