namespace Signage.Appliance.Hosting;

/// <summary>Process exit codes, for systemd and scripts.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Something unexpected; a supervisor may restart.</summary>
    public const int Failure = 1;

    /// <summary>Bad command line.</summary>
    public const int Usage = 64;

    /// <summary>EX_DATAERR: a command-line verb's input clashes with the data (the email has an
    /// account, there is no such account).</summary>
    public const int DataError = 65;

    /// <summary>EX_CONFIG (sysexits.h): the configuration or data directory is unusable. Restarting
    /// will not help; the installer's systemd unit lists it in RestartPreventExitStatus.</summary>
    public const int Unusable = 78;
}
