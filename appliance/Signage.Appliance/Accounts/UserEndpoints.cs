using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Audit;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Contracts;
using Signage.Web.Data;
using Signage.Web.Problems;

namespace Signage.Appliance.Accounts;

/// <summary>People of the tenant and their roles (spec 27.4), for tenant admins.</summary>
public static class UserEndpoints
{
    public const int MinimumPasswordLength = AccountRules.MinimumPasswordLength;

    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/v1/tenants/{tenantId}/users").RequireTenantAdmin();
        users.MapPost("", Create);
        users.MapGet("", List);
        users.MapGet("/{userId}", Get);
        users.MapPut("/{userId}/venue-roles", SetVenueRoles);
        users.MapPut("/{userId}/disabled", SetDisabled);
        return app;
    }

    internal static async Task<IResult> Create(string tenantId, CreateUserRequest request, Database database, Caller caller, IClock clock, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var errors = Validate(request, connection, tenantId);
        if (errors.Count > 0) return ProblemResponses.Invalid(errors);

        using var transaction = connection.BeginTransaction();
        if (connection.Scalar<long>("SELECT COUNT(*) FROM user_account WHERE email = $email;", transaction, ("$email", request.Email.Trim())) > 0)
            return ProblemResponses.Problem(StatusCodes.Status409Conflict, ProblemCodes.EmailTaken, $"There is already an account for {request.Email.Trim()}.");
        var userId = CreateUser(connection, transaction, tenantId, request.Email, request.DisplayName, request.Password,
            request.TenantRoles ?? [], request.VenueRoles ?? [], clock.GetCurrentInstant());
        AuditLog.Write(connection, transaction, clock.GetCurrentInstant(), "USER_CREATED", tenantId, null, caller.UserId, "user", userId,
            new() { ["email"] = request.Email.Trim(), ["tenantRoles"] = string.Join(',', request.TenantRoles ?? []),
                ["venueRoles"] = string.Join(',', (request.VenueRoles ?? []).Select(v => $"{v.VenueId}:{v.Role}")) });
        transaction.Commit();
        return TypedResults.Created($"/v1/tenants/{tenantId}/users/{userId}", Load(connection, tenantId, userId));
    }

    /// <summary>By email (the column ignores case), cursor-paginated (spec 27.1).</summary>
    internal static async Task<IResult> List(string tenantId, string? cursor, int? limit, Database database, CancellationToken cancellationToken)
    {
        if (ListPage.Read(cursor, limit, out var page, KeyPart.Text, KeyPart.Text) is { } badPage) return badPage;
        await using var connection = await database.OpenAsync(cancellationToken);
        var ids = connection.Query("""
            SELECT user_id FROM user_account WHERE tenant_id = $tenant
              AND ($first = 1 OR email > $email OR (email = $email AND user_id > $id))
            ORDER BY email, user_id LIMIT $limit;
            """, null, r => r.GetString(0),
            ("$tenant", tenantId), ("$first", page.First), ("$email", page.Text(0, "")), ("$id", page.Text(1, "")), ("$limit", page.Fetch));
        return TypedResults.Ok(page.Answer(ids.Select(id => Load(connection, tenantId, id)!).ToList(), u => [u.Email, u.UserId]));
    }

    private static async Task<IResult> Get(string tenantId, string userId, Database database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return Load(connection, tenantId, userId) is { } user ? TypedResults.Ok(user) : Authentication.NotFound("user");
    }

    /// <summary>Replaces the user's venue roles with exactly the given ones.</summary>
    internal static async Task<IResult> SetVenueRoles(string tenantId, string userId, SetVenueRolesRequest request, Database database, Caller caller, IClock clock, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        if (Load(connection, tenantId, userId) is null) return Authentication.NotFound("user");
        var errors = new Dictionary<string, string[]>();
        ValidateVenueRoles(request.VenueRoles, connection, tenantId, errors);
        if (errors.Count > 0) return ProblemResponses.Invalid(errors);

        using var transaction = connection.BeginTransaction();
        connection.Execute("DELETE FROM venue_user_role WHERE user_id = $user;", transaction, ("$user", userId));
        foreach (var grant in request.VenueRoles) GrantVenueRole(connection, transaction, userId, grant);
        AuditLog.Write(connection, transaction, clock.GetCurrentInstant(), "ROLES_CHANGED", tenantId, null, caller.UserId, "user", userId,
            new() { ["venueRoles"] = string.Join(',', request.VenueRoles.Select(v => $"{v.VenueId}:{v.Role}")) });
        transaction.Commit();
        return TypedResults.Ok(Load(connection, tenantId, userId));
    }

    /// <summary>Disables or re-enables a user. Every request reloads the caller, so a disabled user's
    /// tokens and sessions stop working at once. Nobody can disable themselves (a lock-out).</summary>
    internal static async Task<IResult> SetDisabled(string tenantId, string userId, SetUserDisabledRequest request, Database database, Caller caller, IClock clock,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        if (Load(connection, tenantId, userId) is null) return Authentication.NotFound("user");
        if (request.Disabled && userId == caller.UserId)
            return ProblemResponses.Problem(StatusCodes.Status409Conflict, "CANNOT_DISABLE_SELF", "You cannot disable your own account; ask another admin.");
        using var transaction = connection.BeginTransaction();
        connection.Execute("UPDATE user_account SET disabled = $disabled WHERE user_id = $user;", transaction, ("$disabled", request.Disabled ? 1 : 0), ("$user", userId));
        AuditLog.Write(connection, transaction, clock.GetCurrentInstant(), request.Disabled ? "USER_DISABLED" : "USER_ENABLED", tenantId, null, caller.UserId, "user", userId);
        transaction.Commit();
        return TypedResults.Ok(Load(connection, tenantId, userId));
    }

    /// <summary>Creates a user with roles inside the caller's transaction; shared with first-run bootstrap.</summary>
    internal static string CreateUser(SqliteConnection connection, SqliteTransaction transaction, string tenantId, string email, string displayName,
        string password, IEnumerable<string> tenantRoles, IEnumerable<VenueRoleGrant> venueRoles, Instant now)
    {
        var userId = Ids.New("usr");
        connection.Execute("""
            INSERT INTO user_account (user_id, tenant_id, email, display_name, password_hash, created_at_utc)
            VALUES ($user, $tenant, $email, $name, $hash, $now);
            """, transaction, ("$user", userId), ("$tenant", tenantId), ("$email", email.Trim()), ("$name", displayName.Trim()),
            ("$hash", AuthEndpoints.Passwords.HashPassword("", password)), ("$now", Sql.Utc(now)));
        foreach (var role in tenantRoles.Distinct())
            connection.Execute("INSERT INTO tenant_user_role (user_id, role) VALUES ($user, $role);", transaction, ("$user", userId), ("$role", role));
        foreach (var grant in venueRoles) GrantVenueRole(connection, transaction, userId, grant);
        return userId;
    }

    private static void GrantVenueRole(SqliteConnection connection, SqliteTransaction transaction, string userId, VenueRoleGrant grant) =>
        connection.Execute("INSERT OR REPLACE INTO venue_user_role (venue_id, user_id, role) VALUES ($venue, $user, $role);", transaction,
            ("$venue", grant.VenueId), ("$user", userId), ("$role", grant.Role));

    private static UserResponse? Load(SqliteConnection connection, string tenantId, string userId)
    {
        var user = connection.QuerySingle("SELECT email, display_name, disabled FROM user_account WHERE user_id = $user AND tenant_id = $tenant;", null,
            r => new { Email = r.GetString(0), Name = r.GetString(1), Disabled = r.GetInt64(2) == 1 }, ("$user", userId), ("$tenant", tenantId));
        if (user is null) return null;
        var tenantRoles = connection.Query("SELECT role FROM tenant_user_role WHERE user_id = $user ORDER BY role;", null, r => r.GetString(0), ("$user", userId));
        var venueRoles = connection.Query("SELECT venue_id, role FROM venue_user_role WHERE user_id = $user ORDER BY venue_id;", null,
            r => new VenueRoleGrant(r.GetString(0), r.GetString(1)), ("$user", userId));
        return new UserResponse(userId, tenantId, user.Email, user.Name, user.Disabled, [.. tenantRoles], [.. venueRoles]);
    }

    private static Dictionary<string, string[]> Validate(CreateUserRequest request, SqliteConnection connection, string tenantId)
    {
        var errors = new Dictionary<string, string[]>();
        if (!IsEmail(request.Email)) errors["email"] = ["Enter a valid email address."];
        if (string.IsNullOrWhiteSpace(request.DisplayName) || request.DisplayName.Trim().Length > 100) errors["displayName"] = ["Enter a name of 1 to 100 characters."];
        if (request.Password.Length < MinimumPasswordLength) errors["password"] = [$"Use a password of at least {MinimumPasswordLength} characters."];
        if ((request.TenantRoles ?? []).Any(r => !Roles.TenantRoles.Contains(r))) errors["tenantRoles"] = ["Tenant roles are TENANT_ADMIN or TENANT_VIEWER."];
        ValidateVenueRoles(request.VenueRoles ?? [], connection, tenantId, errors);
        return errors;
    }

    private static void ValidateVenueRoles(VenueRoleGrant[] grants, SqliteConnection connection, string tenantId, Dictionary<string, string[]> errors)
    {
        var problems = new List<string>();
        foreach (var grant in grants)
        {
            if (!VenueRanks.TryParseRole(grant.Role, out _)) problems.Add($"'{grant.Role}' is not a venue role (VENUE_MANAGER, VENUE_EDITOR, VENUE_VIEWER).");
            if (connection.Scalar<long>("SELECT COUNT(*) FROM venue WHERE venue_id = $venue AND tenant_id = $tenant;", null, ("$venue", grant.VenueId), ("$tenant", tenantId)) == 0)
                problems.Add($"No venue '{grant.VenueId}'.");
        }
        if (grants.GroupBy(g => g.VenueId).Any(g => g.Count() > 1)) problems.Add("Give each venue one role.");
        if (problems.Count > 0) errors["venueRoles"] = [.. problems];
    }

    internal static bool IsEmail(string? value) => AccountRules.IsEmail(value);
}
