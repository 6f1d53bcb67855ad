using System.Globalization;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Signage.Appliance.Hosting;

/// <summary>
/// Serilog, configured in code (configuration-file sinks are not AOT-safe): the console for
/// systemd's journal, and a rolling file in the data directory that an installer can collect.
/// </summary>
public static class ApplianceLogging
{
    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}";
    private const string FileTemplate = "{Timestamp:yyyy-MM-ddTHH:mm:ss.fffzzz} [{Level:u3}] {SourceContext} {RequestId} {Message:lj}{NewLine}{Exception}";

    /// <summary>Console only: used until the data directory is known to be usable.</summary>
    public static Logger CreateBootstrapLogger(bool toStandardError = false) => Base(toStandardError).CreateLogger();

    /// <summary>Console and a daily file in &lt;data-dir&gt;/logs, 10 MB per file at most, 14 files kept.</summary>
    public static Logger CreateLogger(string dataDirectory, bool toStandardError = false) => Base(toStandardError)
        .WriteTo.File(
            Path.Combine(dataDirectory, DataDirectory.LogsFolderName, "appliance-.log"),
            outputTemplate: FileTemplate,
            formatProvider: CultureInfo.InvariantCulture,
            rollingInterval: RollingInterval.Day,
            fileSizeLimitBytes: 10 * 1024 * 1024,
            rollOnFileSizeLimit: true,
            retainedFileCountLimit: 14,
            flushToDiskInterval: TimeSpan.FromSeconds(1))
        .CreateLogger();

    /// <param name="toStandardError">All of the console log on stderr: a command-line verb keeps stdout for its result line.</param>
    private static LoggerConfiguration Base(bool toStandardError) => new LoggerConfiguration()
        .MinimumLevel.Information()
        .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
        .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
        .Enrich.FromLogContext()
        .WriteTo.Console(outputTemplate: ConsoleTemplate, formatProvider: CultureInfo.InvariantCulture,
            standardErrorFromLevel: toStandardError ? LogEventLevel.Verbose : null);
}
