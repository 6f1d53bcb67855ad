using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Audit;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Appliance.Hosting;
using Signage.Contracts;

namespace Signage.Appliance.Accounts;

/// <summary>
/// <c>--create-admin</c> and <c>--reset-password</c>: the way back in when nobody can sign in, run by
/// <c>signage admin create</c> / <c>reset-password</c>. They take no lock and never migrate, so they
/// are safe while the appliance runs: one IMMEDIATE transaction waits for its writes and commits
/// whole (user, role and audit entry together). The new password is the first line of stdin.
/// Prints one <see cref="ApplianceVerbResult"/> line on stdout; exit codes as in <see cref="ExitCodes"/>.
/// </summary>
public static class AccountVerbs
{
    public static string? Requested(string[] args) => args.FirstOrDefault(a => a is ApplianceVerbs.CreateAdmin or ApplianceVerbs.ResetPassword);

    public static int Run(string verb, string[] args, TextReader stdin, IClock clock)
    {
        var (exitCode, result) = Outcome(verb, args, stdin, clock);
        return VerbResult.Write(exitCode, result);
    }

    private static (int ExitCode, ApplianceVerbResult Result) Outcome(string verb, string[] args, TextReader stdin, IClock clock)
    {
        try
        {
            var commandLine = new ConfigurationBuilder().AddCommandLine([.. args.Where(a => a != verb)]).Build();
            var directory = ApplianceSettings.From(commandLine, Environment.GetEnvironmentVariable).DataDirectory;
            var email = AccountRules.IsEmail(commandLine["email"]) ? commandLine["email"]!.Trim()
                : throw new Refused(ExitCodes.Usage, ProblemCodes.ValidationFailed, $"'{commandLine["email"]}' is not an email address (--email).");
            var name = (commandLine["name"] ?? "Administrator").Trim();
            if (verb == ApplianceVerbs.CreateAdmin && name.Length is 0 or > 100)
                throw new Refused(ExitCodes.Usage, ProblemCodes.ValidationFailed, "--name must be 1 to 100 characters.");
            var password = stdin.ReadLine();
            if (string.IsNullOrEmpty(password))
                throw new Refused(ExitCodes.Usage, ProblemCodes.ValidationFailed, "Give the new password on the first line of stdin.");
            if (password.Length < AccountRules.MinimumPasswordLength)
                throw new Refused(ExitCodes.Usage, ProblemCodes.ValidationFailed, $"Use a password of at least {AccountRules.MinimumPasswordLength} characters.");

            using var connection = OpenProvisioned(directory);
            using var transaction = connection.BeginTransaction();
            var userId = verb == ApplianceVerbs.CreateAdmin
                ? CreateAdmin(connection, transaction, directory, email, name, password, clock.GetCurrentInstant())
                : ResetPassword(connection, transaction, directory, email, password, clock.GetCurrentInstant());
            transaction.Commit();
            return (ExitCodes.Ok, new ApplianceVerbResult(ApplianceVerbs.Ok, UserId: userId, Email: email));
        }
        catch (Refused refused)
        {
            return (refused.ExitCode, ApplianceVerbResult.Failed(refused.Code, refused.Message));
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e);
            return (ExitCodes.Failure, ApplianceVerbResult.Failed(ProblemCodes.InternalError, e.Message));
        }
    }

    private static string CreateAdmin(SqliteConnection connection, SqliteTransaction transaction, string directory, string email, string name, string password, Instant now)
    {
        var tenantId = connection.Scalar<string>("SELECT tenant_id FROM tenant ORDER BY created_at_utc LIMIT 1;", transaction)
            ?? throw new Refused(ExitCodes.Unusable, ApplianceVerbs.Unusable, $"{directory} has no venue yet: run `signage provision` (or open the admin page once) first.");
        if (connection.Scalar<long>("SELECT COUNT(*) FROM user_account WHERE email = $email;", transaction, ("$email", email)) > 0)
            throw new Refused(ExitCodes.DataError, ProblemCodes.EmailTaken, $"There is already an account for {email}.");
        var userId = UserEndpoints.CreateUser(connection, transaction, tenantId, email, name, password, [Roles.TenantAdmin], [], now);
        AuditLog.Write(connection, transaction, now, "USER_CREATED", tenantId, null, null, "user", userId,
            new() { ["email"] = email, ["tenantRoles"] = Roles.TenantAdmin, ["source"] = ApplianceVerbs.CreateAdmin });
        return userId;
    }

    private static string ResetPassword(SqliteConnection connection, SqliteTransaction transaction, string directory, string email, string password, Instant now)
    {
        var user = connection.QuerySingle("SELECT user_id, tenant_id FROM user_account WHERE email = $email;", transaction,
            r => new { UserId = r.GetString(0), TenantId = r.GetString(1) }, ("$email", email));
        if (user is null) throw new Refused(ExitCodes.DataError, ProblemCodes.NotFound, $"There is no account for {email} in {directory}.");
        AuthEndpoints.SetPassword(connection, transaction, user.UserId, password);
        AuthEndpoints.RevokeSessions(connection, transaction, user.UserId, Sql.Utc(now));
        AuditLog.Write(connection, transaction, now, "PASSWORD_RESET", user.TenantId, null, null, "user", user.UserId,
            new() { ["email"] = email, ["source"] = ApplianceVerbs.ResetPassword });
        return user.UserId;
    }

    /// <summary>The database of a provisioned directory at this binary's schema. Never created or
    /// migrated here: a running appliance may hold it, and migrating is its start-up's job.</summary>
    private static SqliteConnection OpenProvisioned(string directory)
    {
        var path = Path.Combine(directory, DataDirectory.DatabaseFileName);
        if (!File.Exists(path))
            throw new Refused(ExitCodes.Unusable, ApplianceVerbs.Unusable,
                $"There is no appliance database in {directory} ({DataDirectory.DatabaseFileName} is missing). Check --data-dir, or run `signage provision` first.");
        SqliteConnection? connection = null;
        int schema;
        try
        {
            connection = new Database(path).Open();
            schema = Migrator.CurrentVersion(connection);
        }
        catch (SqliteException e)
        {
            connection?.Dispose();
            throw new Refused(ExitCodes.Unusable, ApplianceVerbs.Unusable, $"{path} is not a usable appliance database: {e.Message}");
        }
        if (schema == Migrator.LatestVersion) return connection;
        connection.Dispose();
        throw new Refused(ExitCodes.Unusable, ApplianceVerbs.Unusable, schema > Migrator.LatestVersion
            ? $"{path} has schema version {schema}, newer than this appliance knows ({Migrator.LatestVersion}): use the signage-appliance of that release."
            : $"{path} has schema version {schema}, older than this appliance's ({Migrator.LatestVersion}): start the appliance once (it upgrades the database), then run this again.");
    }

    private sealed class Refused(int exitCode, string code, string message) : Exception(message)
    {
        public int ExitCode { get; } = exitCode;

        public string Code { get; } = code;
    }
}
