using NodaTime;
using Signage.CloudHub.Auth;
using Signage.CloudHub.Data;
using Signage.CloudHub.Hosting;

namespace Signage.CloudHub.Tenancy;

/// <summary>The first platform admin, from SIGNAGE_HUB_ADMIN_EMAIL / SIGNAGE_HUB_ADMIN_PASSWORD, only
/// while none exists. Replicas starting together take the migration lock, so exactly one is created.</summary>
public static class FirstAdmin
{
    public static async Task<bool> CreateFromEnvironmentAsync(HubDatabase database, Func<string, string?> environment, IClock clock)
    {
        var email = environment("SIGNAGE_HUB_ADMIN_EMAIL")?.Trim();
        var password = environment("SIGNAGE_HUB_ADMIN_PASSWORD");
        if (string.IsNullOrEmpty(email) || string.IsNullOrEmpty(password)) return false;
        if (password.Length < Secrets.MinPasswordLength)
            throw new StartupException($"SIGNAGE_HUB_ADMIN_PASSWORD must have at least {Secrets.MinPasswordLength} characters.");
        return await database.InTransactionAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@key);", transaction, ("key", Migrator.LockKey));
            if (await connection.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM user_account WHERE platform_admin);", transaction)) return false;
            await connection.ExecuteAsync("""
                INSERT INTO user_account (user_id, tenant_id, email, display_name, password_hash, platform_admin, created_at)
                VALUES (@id, NULL, @email, 'Platform admin', @hash, true, @now);
                """, transaction, ("id", Secrets.NewId("usr")), ("email", email), ("hash", Secrets.Passwords.HashPassword("", password)),
                ("now", clock.GetCurrentInstant().ToDateTimeUtc()));
            return true;
        });
    }
}
