using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Signage.TestInfrastructure;

/// <summary>
/// The real cloud hub (<c>dotnet signage-hub.dll</c>) on a free loopback port, with its console output
/// captured. The dll is <c>SIGNAGE_HUB_DLL</c> when set, else the build of cloud-hub/Signage.CloudHub in
/// the same configuration as the running tests (build the hub first; test.sh builds the solution).
/// </summary>
public sealed partial class HubProcess : IAsyncDisposable
{
    public const string AdminEmail = "platform@hub.test";
    public const string AdminPassword = "platform-password-1";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HubProcess(Process process) => _process = process;

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public IReadOnlyList<string> Output => [.. _output];

    public bool HasExited => _process.HasExited;

    /// <summary>The hub's process id (benchmarks read its CPU time).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Starts a hub on <paramref name="connectionString"/> with blobs in <paramref name="dataDirectory"/>,
    /// and the platform admin <see cref="AdminEmail"/> / <see cref="AdminPassword"/>; waits until it listens.</summary>
    public static async Task<HubProcess> StartAsync(string connectionString, string dataDirectory, string url = "http://127.0.0.1:0",
        IDictionary<string, string>? environment = null)
    {
        var env = new Dictionary<string, string>
        {
            ["SIGNAGE_HUB_ADMIN_EMAIL"] = AdminEmail,
            ["SIGNAGE_HUB_ADMIN_PASSWORD"] = AdminPassword,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) env[key] = value;
        var hub = Launch(["--urls", url, "--db", connectionString, "--data-dir", dataDirectory], env);
        var exited = hub._process.WaitForExitAsync();
        var first = await Task.WhenAny(hub._listening.Task, exited, Task.Delay(StartTimeout));
        if (first != hub._listening.Task)
        {
            var output = string.Join('\n', hub.Output);
            await hub.DisposeAsync();
            throw new InvalidOperationException($"The hub did not start listening:\n{output}");
        }
        hub.BaseAddress = hub._listening.Task.Result;
        hub.Client = new HttpClient { BaseAddress = hub.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        return hub;
    }

    /// <summary>Runs the hub with these arguments until it exits by itself (start-up failures).</summary>
    public static async Task<(int ExitCode, IReadOnlyList<string> Output)> RunToExitAsync(IReadOnlyList<string> arguments, IDictionary<string, string>? environment = null)
    {
        await using var hub = Launch(arguments, environment ?? new Dictionary<string, string>());
        using var timeout = new CancellationTokenSource(StartTimeout);
        await hub._process.WaitForExitAsync(timeout.Token);
        return (hub._process.ExitCode, hub.Output);
    }

    /// <summary>The hub's dll: SIGNAGE_HUB_DLL, else the hub project's build output beside these tests' configuration.</summary>
    public static string DllPath
    {
        get
        {
            if (Environment.GetEnvironmentVariable("SIGNAGE_HUB_DLL") is { Length: > 0 } configured) return configured;
            var here = AppContext.BaseDirectory; // …/tests/X/bin/<Configuration>/net10.0/
            var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(here)).Parent!.Name;
            var root = new DirectoryInfo(here);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "Appliance.sln"))) root = root.Parent;
            if (root is null) throw new InvalidOperationException("Cannot find the repository root (Appliance.sln) above " + here);
            var dll = Path.Combine(root.FullName, "cloud-hub", "Signage.CloudHub", "bin", configuration, "net10.0", "signage-hub.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"Build the hub first: {dll} does not exist (or set SIGNAGE_HUB_DLL).");
        }
    }

    /// <summary>Kills the hub at once (kill -9): nothing after the last commit survives.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        await KillAsync();
        _process.Dispose();
    }

    private static HubProcess Launch(IReadOnlyList<string> arguments, IDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [DllPath, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var hub = new HubProcess(process);
        process.OutputDataReceived += (_, e) => hub.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => hub.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return hub;
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        if (ListeningLine().Match(line) is { Success: true } match) _listening.TrySetResult(new Uri(match.Groups[1].Value));
    }

    [GeneratedRegex(@"listening on (http://\S+);")]
    private static partial Regex ListeningLine();
}
