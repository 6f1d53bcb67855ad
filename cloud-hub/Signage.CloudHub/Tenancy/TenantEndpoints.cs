using Signage.CloudHub.Auth;
using Signage.CloudHub.Data;
using Signage.Contracts;
using NodaTime;
using Signage.Web.Data;
using Signage.Web.Problems;

namespace Signage.CloudHub.Tenancy;

/// <summary>Platform admins create tenants, each with its first tenant admin.</summary>
public static class TenantEndpoints
{
    public static IEndpointRouteBuilder MapTenants(this IEndpointRouteBuilder app)
    {
        var tenants = app.MapGroup("/v1/tenants").RequirePlatformAdmin();
        tenants.MapPost("", Create);
        tenants.MapGet("", List);
        return app;
    }

    internal static async Task<IResult> Create(CreateTenantRequest request, HubDatabase database, IClock clock, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        Validation.Name(errors, "name", request.Name);
        Validation.Email(errors, "adminEmail", request.AdminEmail.Trim());
        Validation.Name(errors, "adminDisplayName", request.AdminDisplayName);
        Validation.Password(errors, "adminPassword", request.AdminPassword);
        if (errors.Count > 0) return ProblemResponses.Invalid(errors);

        var now = clock.GetCurrentInstant().ToDateTimeUtc();
        var tenantId = Secrets.NewId("ten");
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await UserEndpoints.EmailTakenAsync(connection, transaction, request.AdminEmail)) return UserEndpoints.EmailTaken();
        await connection.ExecuteAsync("INSERT INTO tenant (tenant_id, name, created_at) VALUES (@id, @name, @now);", transaction,
            ("id", tenantId), ("name", request.Name.Trim()), ("now", now));
        var userId = Secrets.NewId("usr");
        await connection.ExecuteAsync("""
            INSERT INTO user_account (user_id, tenant_id, email, display_name, password_hash, created_at) VALUES (@id, @tenant, @email, @name, @hash, @now);
            INSERT INTO tenant_user_role (user_id, role) VALUES (@id, 'TENANT_ADMIN');
            """, transaction, ("id", userId), ("tenant", tenantId), ("email", request.AdminEmail.Trim()), ("name", request.AdminDisplayName.Trim()),
            ("hash", Secrets.Passwords.HashPassword("", request.AdminPassword)), ("now", now));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/v1/tenants/{tenantId}", new TenantResponse(tenantId, request.Name.Trim(), Sql.Utc(now)));
    }

    /// <summary>By name, cursor-paginated (spec 27.1).</summary>
    internal static async Task<IResult> List(string? cursor, int? limit, HubDatabase database, CancellationToken cancellationToken)
    {
        if (ListPage.Read(cursor, limit, out var page, KeyPart.Text, KeyPart.Text) is { } badPage) return badPage;
        await using var connection = await database.OpenAsync(cancellationToken);
        var tenants = await connection.QueryAsync($"""
            SELECT tenant_id, name, created_at FROM tenant {(page.First ? "" : "WHERE (name, tenant_id) > (@name, @id)")}
            ORDER BY name, tenant_id LIMIT @limit;
            """, null, r => new TenantResponse(r.GetString(0), r.GetString(1), Sql.Utc(r.GetDateTime(2))),
            ("name", page.Text(0, "")), ("id", page.Text(1, "")), ("limit", page.Fetch));
        return TypedResults.Ok(page.Answer(tenants, t => [t.Name, t.TenantId]));
    }
}
