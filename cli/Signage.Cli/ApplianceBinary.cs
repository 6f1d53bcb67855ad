using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Signage.Contracts;

namespace Signage.Cli;

/// <summary>
/// The appliance binary, run for the commands that write its data directory (provision, admin), so
/// its own code writes its tables. Each verb prints one <see cref="ApplianceVerbResult"/> line on
/// stdout and exits 0, 1, 64, 65 or 78; that line and the exit code are all this reads.
/// </summary>
public static class ApplianceBinary
{
    public static Option<string?> PathOption() => new("--appliance-bin")
    {
        Description = "The appliance binary. Default: signage-appliance beside this binary, else on PATH.",
    };

    public static string Find(string? given)
    {
        var name = OperatingSystem.IsWindows() ? "signage-appliance.exe" : "signage-appliance";
        if (given is not null)
            return File.Exists(given) ? Path.GetFullPath(given) : throw new CliException(ExitCodes.Usage, $"--appliance-bin: {given} does not exist.");
        var beside = Path.Combine(AppContext.BaseDirectory, name);
        if (File.Exists(beside)) return beside;
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new CliException(ExitCodes.Config, $"{name} is neither beside signage nor on PATH: pass --appliance-bin.");
    }

    /// <summary>Runs a verb; secrets go in <paramref name="environment"/> or <paramref name="stdin"/>,
    /// never in <paramref name="arguments"/>. Returns its result when it succeeded; throws a
    /// <see cref="CliException"/> with its message and matching exit code when it did not.</summary>
    public static async Task<ApplianceVerbResult> RunAsync(string binary, IEnumerable<string> arguments, IDictionary<string, string>? environment, string? stdin,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(binary, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new CliException(ExitCodes.Failure, $"Could not start {binary}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken); // its log: drained, not parsed
        if (stdin is not null) await process.StandardInput.WriteLineAsync(stdin.AsMemory(), cancellationToken);
        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken);
        await errors;
        var result = Parse(await output);
        if (process.ExitCode == ExitCodes.Ok && result?.Result == ApplianceVerbs.Ok) return result;
        var code = process.ExitCode is ExitCodes.Usage or ExitCodes.DataError or ExitCodes.Config ? process.ExitCode : ExitCodes.Failure;
        throw new CliException(code, result?.Message ?? $"{Path.GetFileName(binary)} exited with code {process.ExitCode} without a result line.");
    }

    /// <summary>The last line of stdout that is a result; null when there is none.</summary>
    private static ApplianceVerbResult? Parse(string output)
    {
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Reverse())
        {
            if (!line.StartsWith('{')) continue;
            try
            {
                return JsonSerializer.Deserialize(line, ContractsJsonContext.Default.ApplianceVerbResult);
            }
            catch (JsonException)
            {
                return null;
            }
        }
        return null;
    }
}
