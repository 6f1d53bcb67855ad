using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Signage.Appliance.Tests.Infrastructure;

/// <summary>
/// A real appliance process on a free loopback port, with its console output captured.
/// </summary>
public sealed partial class ApplianceProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ApplianceProcess(Process process) => _process = process;

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public IReadOnlyList<string> Output => [.. _output];

    public int Id => _process.Id;

    /// <summary>Starts the appliance and waits until it listens.</summary>
    public static Task<ApplianceProcess> StartAsync(string dataDirectory, IDictionary<string, string>? environment = null) =>
        StartAsync(["--urls", "http://127.0.0.1:0", "--data-dir", dataDirectory], environment);

    /// <summary>Starts the appliance with exactly these arguments and waits until it listens.</summary>
    public static async Task<ApplianceProcess> StartAsync(IReadOnlyList<string> arguments, IDictionary<string, string>? environment = null)
    {
        var appliance = Launch(arguments, environment);
        var exited = appliance._process.WaitForExitAsync();
        var first = await Task.WhenAny(appliance._listening.Task, exited, Task.Delay(StartTimeout));
        if (first != appliance._listening.Task)
        {
            var output = string.Join('\n', appliance.Output);
            await appliance.DisposeAsync();
            throw new InvalidOperationException($"The appliance did not start listening:\n{output}");
        }
        appliance.BaseAddress = appliance._listening.Task.Result;
        appliance.Client = new HttpClient { BaseAddress = appliance.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        return appliance;
    }

    /// <summary>Runs the appliance with these arguments until it exits by itself (start-up failures).</summary>
    public static async Task<(int ExitCode, IReadOnlyList<string> Output)> RunToExitAsync(IReadOnlyList<string> arguments, IDictionary<string, string>? environment = null)
    {
        await using var appliance = Launch(arguments, environment);
        using var timeout = new CancellationTokenSource(StartTimeout);
        await appliance._process.WaitForExitAsync(timeout.Token);
        return (appliance._process.ExitCode, appliance.Output);
    }

    /// <summary>Sends SIGTERM, as systemd does, and waits for the exit code.</summary>
    public async Task<int> StopAsync()
    {
        _ = Kill(_process.Id, Signals.Term);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static ApplianceProcess Launch(IReadOnlyList<string> arguments, IDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(NativeAppliance.Path, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        // No mDNS advertising from test appliances on the machine's real network; the discovery tests
        // turn it on inside network namespaces of their own.
        start.Environment["Discovery__Enabled"] = "false";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var appliance = new ApplianceProcess(process);
        process.OutputDataReceived += (_, e) => appliance.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => appliance.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return appliance;
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        if (ListeningLine().Match(line) is { Success: true } match) _listening.TrySetResult(new Uri(match.Groups[1].Value));
    }

    [GeneratedRegex(@"listening on (http://\S+);")]
    private static partial Regex ListeningLine();

    private static class Signals
    {
        public const int Term = 15;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
