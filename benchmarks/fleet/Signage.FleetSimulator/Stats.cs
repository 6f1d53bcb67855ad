using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Signage.FleetSimulator;

/// <summary>Latency samples and outcomes per endpoint, for the measurement window only.</summary>
public sealed class Stats
{
    private readonly ConcurrentDictionary<string, Endpoint> _endpoints = new();

    /// <summary>False during pairing and the first downloads: only the steady state is reported.</summary>
    public bool Recording { get; set; }

    public void Record(string endpoint, long startTimestamp, int status, bool error)
    {
        if (!Recording) return;
        var e = _endpoints.GetOrAdd(endpoint, _ => new Endpoint());
        var micros = Stopwatch.GetElapsedTime(startTimestamp).Ticks / 10;
        lock (e)
        {
            e.Micros.Add(micros);
            e.Statuses[status] = e.Statuses.GetValueOrDefault(status) + 1;
            if (error) e.Errors++;
        }
    }

    public long TotalErrors => _endpoints.Values.Sum(e => e.Errors);

    /// <summary>Responses with this status over every endpoint (429: the appliance's rate limits refused one).</summary>
    public long Count(int status) => _endpoints.Values.Sum(e =>
    {
        lock (e)
        {
            return e.Statuses.GetValueOrDefault(status);
        }
    });

    public string Table(double seconds)
    {
        var text = new StringBuilder();
        text.AppendLine("| endpoint | requests | req/s | p50 ms | p99 ms | max ms | statuses | errors |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---|---:|");
        long all = 0;
        foreach (var (name, e) in _endpoints.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            e.Micros.Sort();
            all += e.Micros.Count;
            var statuses = string.Join(" ", e.Statuses.OrderBy(s => s.Key).Select(s => $"{(s.Key == 0 ? "exception" : s.Key)}×{s.Value}"));
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {e.Micros.Count} | {e.Micros.Count / seconds:0.0} | {Percentile(e.Micros, 0.50):0.0} | {Percentile(e.Micros, 0.99):0.0} | {e.Micros[^1] / 1000.0:0.0} | {statuses} | {e.Errors} |");
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"| **all** | {all} | {all / seconds:0.0} | | | | | {TotalErrors} |");
        return text.ToString();
    }

    private static double Percentile(List<long> sorted, double p) => sorted.Count == 0 ? 0 : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))] / 1000.0;

    private sealed class Endpoint
    {
        public List<long> Micros { get; } = [];
        public Dictionary<int, long> Statuses { get; } = [];
        public long Errors { get; set; }
    }
}

/// <summary>The appliance's CPU time and memory, read from /proc (Linux).</summary>
public sealed record ProcessSample(double CpuSeconds, long RssKb, long PeakRssKb, long Threads)
{
    public static ProcessSample? Read(int? pid)
    {
        if (pid is not { } id || !File.Exists($"/proc/{id}/stat")) return null;
        return Read($"/proc/{id}");
    }

    public static ProcessSample Self() => Read("/proc/self");

    private static ProcessSample Read(string proc)
    {
        var id = proc;
        // Fields after the ")" of the command name: utime and stime are the 12th and 13th.
        var stat = File.ReadAllText($"{id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        long Kb(string key) => File.ReadLines($"{id}/status").Where(l => l.StartsWith(key, StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).FirstOrDefault();
        return new ProcessSample(ticks / 100.0, Kb("VmRSS:"), Kb("VmHWM:"), Kb("Threads:")); // USER_HZ is 100 on Linux
    }
}
