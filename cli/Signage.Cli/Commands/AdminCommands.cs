using System.CommandLine;
using System.Net.Mail;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Signage.Cli.Commands;

/// <summary>
/// `signage admin create` / `reset-password`: the way back in when nobody can sign in. They work
/// on this machine's data directory through SQLite, so they are safe while the appliance runs:
/// one IMMEDIATE transaction waits for the appliance's writes and commits whole (user, role and
/// audit entry together). A reset also revokes the account's sessions (refresh tokens).
/// </summary>
public static class AdminCommands
{
    public const int MinimumPasswordLength = 10;

    public static Command Create()
    {
        var admin = new Command("admin", "Create a tenant admin or reset a password, on this machine's data directory (works while the appliance runs).");
        admin.Subcommands.Add(CreateAdmin());
        admin.Subcommands.Add(ResetPassword());
        return admin;
    }

    public static Option<bool> PasswordStdinOption() => new("--password-stdin")
    {
        Description = "Read the new password from the first line of stdin (scripts). Otherwise it is asked for, twice, without echo.",
    };

    /// <summary>The new password: from stdin when asked, else typed twice at the terminal.</summary>
    public static string NewPassword(ParseResult parse, Option<bool> fromStdin)
    {
        string password;
        if (parse.GetValue(fromStdin))
        {
            password = Console.In.ReadLine() ?? throw new CliException(ExitCodes.Usage, "--password-stdin: stdin was empty.");
        }
        else
        {
            password = Terminal.PromptSecret("New password: ")
                ?? throw new CliException(ExitCodes.Usage, "stdin is not a terminal: pass the password with --password-stdin.");
            if (Terminal.PromptSecret("Again: ") != password) throw new CliException(ExitCodes.Usage, "The two passwords differ.");
        }
        if (password.Length < MinimumPasswordLength)
            throw new CliException(ExitCodes.Usage, $"Use a password of at least {MinimumPasswordLength} characters.");
        return password;
    }

    public static string RequireEmail(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= 254 && MailAddress.TryCreate(value.Trim(), out var parsed) && parsed.Address == value.Trim()
            ? value.Trim()
            : throw new CliException(ExitCodes.Usage, $"'{value}' is not an email address.");

    private static Command CreateAdmin()
    {
        var dataDir = ApplianceData.DirectoryOption();
        var email = new Option<string>("--email") { Description = "The new admin's email (their sign-in).", Required = true };
        var name = new Option<string>("--name") { Description = "Display name.", DefaultValueFactory = _ => "Administrator" };
        var stdin = PasswordStdinOption();
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = SignageCommand.WithExamples("create", 
            "Create a tenant admin (all venues) directly in the data directory.",
            "sudo -u signage signage admin create --email owner@venue.example",
            "echo \"$NEW_PASSWORD\" | signage admin create --email it@venue.example --name \"IT desk\" --password-stdin --data-dir /var/lib/signage");
        command.Options.Add(dataDir);
        command.Options.Add(email);
        command.Options.Add(name);
        command.Options.Add(stdin);
        command.Options.Add(json);
        command.SetHandler((parse, _) =>
        {
            var directory = ApplianceData.Full(parse, dataDir);
            var address = RequireEmail(parse.GetValue(email));
            var displayName = parse.GetValue(name)!.Trim();
            if (displayName.Length is 0 or > 100) throw new CliException(ExitCodes.Usage, "--name must be 1 to 100 characters.");
            var password = NewPassword(parse, stdin);
            using var connection = ApplianceData.OpenDatabase(directory);
            using var transaction = connection.BeginTransaction();
            var tenants = Strings(connection, transaction, "SELECT tenant_id FROM tenant ORDER BY created_at_utc;");
            if (tenants.Count == 0)
                throw new CliException(ExitCodes.Config, $"{directory} has no venue yet: run `signage provision` (or open the admin page once) first.");
            if (Count(connection, transaction, "SELECT COUNT(*) FROM user_account WHERE email = $email;", ("$email", address)) > 0)
                throw new CliException(ExitCodes.DataError, $"There is already an account for {address}: use `signage admin reset-password --email {address}`.");
            var userId = $"usr_{Guid.CreateVersion7():N}";
            var now = Now();
            Execute(connection, transaction, """
                INSERT INTO user_account (user_id, tenant_id, email, display_name, password_hash, created_at_utc)
                VALUES ($user, $tenant, $email, $name, $hash, $now);
                INSERT INTO tenant_user_role (user_id, role) VALUES ($user, 'TENANT_ADMIN');
                """, ("$user", userId), ("$tenant", tenants[0]), ("$email", address), ("$name", displayName), ("$hash", PasswordHash.Hash(password)), ("$now", now));
            Audit(connection, transaction, "USER_CREATED", tenants[0], userId, now, new() { ["email"] = address, ["tenantRoles"] = "TENANT_ADMIN", ["source"] = "signage admin create" });
            transaction.Commit();
            connection.Close();
            ApplianceData.HandToOwner(directory);
            Report(parse, json, new AdminResult(directory, userId, address, "created"), $"Created tenant admin {address} ({userId}).");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static Command ResetPassword()
    {
        var dataDir = ApplianceData.DirectoryOption();
        var email = new Option<string>("--email") { Description = "The account whose password to set.", Required = true };
        var stdin = PasswordStdinOption();
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = SignageCommand.WithExamples("reset-password", 
            "Set a new password for an account and sign it out everywhere (its refresh tokens are revoked).",
            "sudo -u signage signage admin reset-password --email owner@venue.example",
            "echo \"$NEW_PASSWORD\" | signage admin reset-password --email owner@venue.example --password-stdin");
        command.Options.Add(dataDir);
        command.Options.Add(email);
        command.Options.Add(stdin);
        command.Options.Add(json);
        command.SetHandler((parse, _) =>
        {
            var directory = ApplianceData.Full(parse, dataDir);
            var address = RequireEmail(parse.GetValue(email));
            var password = NewPassword(parse, stdin);
            using var connection = ApplianceData.OpenDatabase(directory);
            using var transaction = connection.BeginTransaction();
            var user = Strings(connection, transaction, "SELECT user_id || ' ' || tenant_id FROM user_account WHERE email = $email;", ("$email", address));
            if (user.Count == 0) throw new CliException(ExitCodes.DataError, $"There is no account for {address} in {directory}.");
            var (userId, tenantId) = (user[0].Split(' ')[0], user[0].Split(' ')[1]);
            var now = Now();
            Execute(connection, transaction, """
                UPDATE user_account SET password_hash = $hash WHERE user_id = $user;
                UPDATE refresh_token SET revoked_at_utc = $now WHERE user_id = $user AND revoked_at_utc IS NULL;
                """, ("$hash", PasswordHash.Hash(password)), ("$user", userId), ("$now", now));
            Audit(connection, transaction, "PASSWORD_RESET", tenantId, userId, now, new() { ["email"] = address, ["source"] = "signage admin reset-password" });
            transaction.Commit();
            connection.Close();
            ApplianceData.HandToOwner(directory);
            Report(parse, json, new AdminResult(directory, userId, address, "password-reset"), $"Set a new password for {address}; its sessions are signed out.");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static void Report(ParseResult parse, Option<bool> json, AdminResult result, string text)
    {
        if (parse.GetValue(json)) Terminal.Json(result, CliJsonContext.Default.AdminResult);
        else Terminal.Line(text);
    }

    private static string Now() => DateTime.UtcNow.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static void Audit(SqliteConnection connection, SqliteTransaction transaction, string action, string tenantId, string userId, string now, Dictionary<string, string> details) =>
        Execute(connection, transaction, """
            INSERT INTO audit_log (tenant_id, actor_user_id, action, target_type, target_id, details_json, created_at_utc)
            VALUES ($tenant, NULL, $action, 'user', $user, $details, $now);
            """, ("$tenant", tenantId), ("$action", action), ("$user", userId),
            ("$details", JsonSerializer.Serialize(details, AdminJsonContext.Default.DictionaryStringString)), ("$now", now));

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (parameterName, value) in parameters) command.Parameters.AddWithValue(parameterName, value ?? DBNull.Value);
        return command;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        command.ExecuteNonQuery();
    }

    private static long Count(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return (long)command.ExecuteScalar()!;
    }

    private static List<string> Strings(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read()) values.Add(reader.GetString(0));
        return values;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class AdminJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
