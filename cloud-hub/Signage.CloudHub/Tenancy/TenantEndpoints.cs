using Signage.Appliance.Problems;
using Signage.CloudHub.Auth;
using Signage.CloudHub.Data;
using Signage.Contracts;
using NodaTime;

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

    internal static async Task<IResult> List(HubDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var tenants = await connection.QueryAsync("SELECT tenant_id, name, created_at FROM tenant ORDER BY name, tenant_id;", null,
            r => new TenantResponse(r.GetString(0), r.GetString(1), Sql.Utc(r.GetDateTime(2))));
        return TypedResults.Ok(new ItemsResponse<TenantResponse>(tenants, null));
    }
}
