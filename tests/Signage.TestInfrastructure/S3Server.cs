using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Signage.TestInfrastructure;

/// <summary>
/// A real S3-compatible server for the hub's S3 blob store: npm's <c>s3rver</c> (installed by
/// <c>npm ci</c> in <c>tests/tools/s3rver</c>, which ./test.sh runs), on a free loopback port, its
/// objects in a temporary directory, with one bucket <see cref="Bucket"/>. It checks request
/// signatures against its fixed credentials <see cref="AccessKey"/> / <see cref="SecretKey"/>.
/// Dispose stops it and deletes the directory.
/// </summary>
public sealed partial class S3Server : IAsyncDisposable
{
    public const string Bucket = "signage-blobs";
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private readonly Process _process;
    private readonly string _directory;

    private S3Server(Process process, string directory, Uri endpoint)
    {
        _process = process;
        _directory = directory;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    /// <summary>The hub's environment for this bucket (path-style, as for most S3-compatible servers).</summary>
    public Dictionary<string, string> HubEnvironment => new()
    {
        ["SIGNAGE_HUB_BLOB_STORE"] = "s3",
        ["SIGNAGE_HUB_S3_ENDPOINT"] = Endpoint.ToString(),
        ["SIGNAGE_HUB_S3_BUCKET"] = Bucket,
        ["SIGNAGE_HUB_S3_REGION"] = "us-east-1",
        ["SIGNAGE_HUB_S3_PATH_STYLE"] = "true",
        ["SIGNAGE_HUB_S3_ACCESS_KEY"] = AccessKey,
        ["SIGNAGE_HUB_S3_SECRET_KEY"] = SecretKey,
    };

    public static async Task<S3Server> StartAsync()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        while (here is not null && !File.Exists(Path.Combine(here.FullName, "Appliance.sln"))) here = here.Parent;
        var tool = Path.Combine(here?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Appliance.sln)."),
            "tests", "tools", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(tool))
            throw new InvalidOperationException($"s3rver is not installed ({tool} is missing): run 'npm ci' in tests/tools/s3rver (./test.sh does).");
        var directory = Directory.CreateTempSubdirectory("signage-s3-").FullName;
        var start = new ProcessStartInfo("node", [tool, "-d", directory, "-a", "127.0.0.1", "-p", "0", "--configure-bucket", Bucket])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = new Process { StartInfo = start };
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new List<string>();
        void OnLine(string? line)
        {
            if (line is null) return;
            lock (output) output.Add(line);
            if (ListeningLine().Match(line) is { Success: true } match) listening.TrySetResult(new Uri($"http://127.0.0.1:{match.Groups[1].Value}"));
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (await Task.WhenAny(listening.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(30))) != listening.Task)
        {
            if (!process.HasExited) process.Kill();
            Directory.Delete(directory, recursive: true);
            lock (output) throw new InvalidOperationException("s3rver did not start:\n" + string.Join('\n', output));
        }
        return new S3Server(process, directory, listening.Task.Result);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [GeneratedRegex(@"S3rver listening on [^:]+:(\d+)")]
    private static partial Regex ListeningLine();
}
