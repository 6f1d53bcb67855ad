using System.CommandLine;
using Signage.Contracts;

namespace Signage.Cli.Commands;

/// <summary>
/// `signage admin create` / `reset-password`: the way back in when nobody can sign in. They run the
/// appliance binary's own verbs (`--create-admin`, `--reset-password`, the password on its stdin),
/// which work on this machine's data directory and are safe while the appliance runs: one
/// IMMEDIATE transaction commits user, role and audit entry together. A reset also revokes the
/// account's sessions (refresh tokens).
/// </summary>
public static class AdminCommands
{
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
        if (password.Length < AccountRules.MinimumPasswordLength)
            throw new CliException(ExitCodes.Usage, $"Use a password of at least {AccountRules.MinimumPasswordLength} characters.");
        return password;
    }

    public static string RequireEmail(string? value) =>
        AccountRules.IsEmail(value)
            ? value!.Trim()
            : throw new CliException(ExitCodes.Usage, $"'{value}' is not an email address.");

    private static Command CreateAdmin()
    {
        var dataDir = ApplianceData.DirectoryOption();
        var email = new Option<string>("--email") { Description = "The new admin's email (their sign-in).", Required = true };
        var name = new Option<string>("--name") { Description = "Display name.", DefaultValueFactory = _ => "Administrator" };
        var stdin = PasswordStdinOption();
        var applianceBin = ApplianceBinary.PathOption();
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = SignageCommand.WithExamples("create", 
            "Create a tenant admin (all venues) directly in the data directory.",
            "sudo -u signage signage admin create --email owner@venue.example",
            "echo \"$NEW_PASSWORD\" | signage admin create --email it@venue.example --name \"IT desk\" --password-stdin --data-dir /var/lib/signage");
        foreach (var option in new Option[] { dataDir, email, name, stdin, applianceBin, json }) command.Options.Add(option);
        command.SetHandler(async (parse, cancellationToken) =>
        {
            var directory = ApplianceData.Full(parse, dataDir);
            var address = RequireEmail(parse.GetValue(email));
            var binary = ApplianceBinary.Find(parse.GetValue(applianceBin));
            var password = NewPassword(parse, stdin);
            ApplianceVerbResult created;
            try
            {
                created = await ApplianceBinary.RunAsync(binary,
                    ["--data-dir", directory, ApplianceVerbs.CreateAdmin, "--email", address, "--name", parse.GetValue(name)!], null, password, cancellationToken);
            }
            catch (CliException e) when (e.ExitCode == ExitCodes.DataError)
            {
                throw new CliException(e.ExitCode, $"{e.Message} To set its password: signage admin reset-password --email {address}");
            }
            ApplianceData.HandToOwner(directory);
            Report(parse, json, new AdminResult(directory, created.UserId!, address, "created"), $"Created tenant admin {address} ({created.UserId}).");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ResetPassword()
    {
        var dataDir = ApplianceData.DirectoryOption();
        var email = new Option<string>("--email") { Description = "The account whose password to set.", Required = true };
        var stdin = PasswordStdinOption();
        var applianceBin = ApplianceBinary.PathOption();
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = SignageCommand.WithExamples("reset-password", 
            "Set a new password for an account and sign it out everywhere (its refresh tokens are revoked).",
            "sudo -u signage signage admin reset-password --email owner@venue.example",
            "echo \"$NEW_PASSWORD\" | signage admin reset-password --email owner@venue.example --password-stdin");
        foreach (var option in new Option[] { dataDir, email, stdin, applianceBin, json }) command.Options.Add(option);
        command.SetHandler(async (parse, cancellationToken) =>
        {
            var directory = ApplianceData.Full(parse, dataDir);
            var address = RequireEmail(parse.GetValue(email));
            var binary = ApplianceBinary.Find(parse.GetValue(applianceBin));
            var password = NewPassword(parse, stdin);
            var reset = await ApplianceBinary.RunAsync(binary, ["--data-dir", directory, ApplianceVerbs.ResetPassword, "--email", address], null, password, cancellationToken);
            ApplianceData.HandToOwner(directory);
            Report(parse, json, new AdminResult(directory, reset.UserId!, address, "password-reset"), $"Set a new password for {address}; its sessions are signed out.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Report(ParseResult parse, Option<bool> json, AdminResult result, string text)
    {
        if (parse.GetValue(json)) Terminal.Json(result, CliJsonContext.Default.AdminResult);
        else Terminal.Line(text);
    }
}
