using System.Net.Mail;
using System.Text.Json.Serialization;

namespace Signage.Contracts;

/// <summary>
/// The command-line verbs of <c>signage-appliance</c> that the <c>signage</c> CLI runs, so that the
/// appliance's own code writes its tables. Each prints exactly one line on stdout, an
/// <see cref="ApplianceVerbResult"/> (its log goes to stderr), and exits 0, 1 (unexpected), 64 (bad
/// input), 65 (the data refuses it: email taken, no such account) or 78 (unusable data directory):
/// the CLI reads those two, never the log text. Passwords arrive on stdin or in the
/// environment, never on the command line.
/// </summary>
public static class ApplianceVerbs
{
    /// <summary>Prepare the data directory (schema, keys, and the first admin and venue from
    /// SIGNAGE_ADMIN_EMAIL/PASSWORD, SIGNAGE_VENUE_NAME/TIMEZONE), then exit.</summary>
    public const string Init = "--init";

    /// <summary>A tenant admin: <c>--email</c>, <c>--name</c>, the password on the first line of stdin.</summary>
    public const string CreateAdmin = "--create-admin";

    /// <summary>A new password (first line of stdin) for <c>--email</c>; the account's sessions are revoked.</summary>
    public const string ResetPassword = "--reset-password";

    public const string Ok = "ok";
    public const string Error = "error";

    /// <summary>The data directory, its database or the configuration is unusable as it is (the
    /// verb exits 78); the message says what to fix.</summary>
    public const string Unusable = "UNUSABLE";
}

/// <summary>The one line a verb prints: <c>result</c> is "ok" or "error"; an error has a
/// <c>code</c> (<see cref="ProblemCodes"/> or <see cref="ApplianceVerbs.Unusable"/>)
/// and a <c>message</c> for people; the rest say what was done.</summary>
public sealed record ApplianceVerbResult(
    string Result,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Code = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UserId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Email = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Schema = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? AdminCreated = null)
{
    public static ApplianceVerbResult Failed(string code, string message) => new(ApplianceVerbs.Error, code, message);
}

/// <summary>What makes an account's sign-in acceptable; the appliance enforces it, the CLI checks it
/// before asking anything further.</summary>
public static class AccountRules
{
    public const int MinimumPasswordLength = 10;

    public static bool IsEmail(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= 254 && MailAddress.TryCreate(value.Trim(), out var parsed) && parsed.Address == value.Trim();
}
