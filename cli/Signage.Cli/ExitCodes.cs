namespace Signage.Cli;

/// <summary>
/// What `signage` exits with, for scripts (cli/README.md lists them). 0, 1, 64 and 78 mean what
/// they mean for the appliance; the others are sysexits.h codes where one fits.
/// </summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Something unexpected (the message says what).</summary>
    public const int Failure = 1;

    /// <summary>`signage doctor` found at least one failing check.</summary>
    public const int ChecksFailed = 2;

    /// <summary>EX_USAGE: a wrong or missing option.</summary>
    public const int Usage = 64;

    /// <summary>EX_DATAERR: the appliance refused the input (unknown code, bad dates, email taken), or a
    /// backup failed verification.</summary>
    public const int DataError = 65;

    /// <summary>EX_UNAVAILABLE: the appliance cannot be reached, or the URL is not a signage appliance.</summary>
    public const int Unavailable = 69;

    /// <summary>EX_TEMPFAIL: the data directory is in use by a running appliance, or the appliance
    /// rate-limited the request. Stop it / wait, then run the command again.</summary>
    public const int TryLater = 75;

    /// <summary>EX_NOPERM: wrong email or password, or the account lacks the role.</summary>
    public const int NoPermission = 77;

    /// <summary>EX_CONFIG: the data directory is missing, not provisioned, or unusable.</summary>
    public const int Config = 78;
}

/// <summary>A failure the operator can act on: its message is printed as is, its code is the exit code.</summary>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
