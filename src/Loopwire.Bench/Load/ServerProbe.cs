using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;

namespace Loopwire.Bench.Load;

/// <summary>What a server process has used so far.</summary>
/// <param name="CpuMs">CPU time, user + system, in milliseconds; null when unknown.</param>
/// <param name="RssBytes">Resident memory; null when unknown.</param>
/// <param name="Gen0">Gen-0 collections so far; null when unknown.</param>
/// <param name="Gen1">Gen-1 collections so far.</param>
/// <param name="Gen2">Gen-2 collections so far.</param>
/// <param name="AllocatedBytes">Bytes the server has allocated so far; null when unknown.</param>
/// <param name="JitMethods">Methods the server's JIT has compiled so far (tier-up recompilations included); null when unknown.</param>
public sealed record ServerSample(double? CpuMs, long? RssBytes, long? Gen0, long? Gen1, long? Gen2, long? AllocatedBytes = null, long? JitMethods = null);

/// <summary>Reads a server's CPU, memory and GC counts: from <c>/proc</c> for a local process, from <c>/metrics</c> otherwise.</summary>
/// <remarks>
/// A process id gives exact CPU and RSS (<c>/proc/PID/stat</c>, <c>/proc/PID/status</c>, Linux); the metrics URL gives GC counts
/// (the runtime's <c>System.Runtime</c> meter) and, for a remote server, CPU time and working set. Either may be absent.
/// </remarks>
public sealed partial class ServerProbe : IDisposable
{
    private const int ScClkTck = 2;
    private readonly int? _pid;
    private readonly HttpClient? _metrics;

    /// <summary>Creates a probe.</summary>
    /// <param name="pid">A local server process, or null.</param>
    /// <param name="metricsBaseUrl">The server's root URL for <c>GET /metrics</c>, or null.</param>
    /// <param name="apiKey">Bearer key for the metrics endpoint.</param>
    public ServerProbe(int? pid, Uri? metricsBaseUrl, string? apiKey)
    {
        _pid = pid is { } p && OperatingSystem.IsLinux() && File.Exists($"/proc/{p}/stat") ? p : null;
        if (metricsBaseUrl is not null)
        {
            _metrics = new HttpClient { BaseAddress = metricsBaseUrl, Timeout = TimeSpan.FromSeconds(10) };
            if (apiKey is not null)
            {
                _metrics.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            }
        }
    }

    /// <summary>Where CPU and memory figures come from, for the report.</summary>
    public string Source => (_pid, _metrics) switch
    {
        ({ } p, not null) => $"process {p} (/proc) + /metrics",
        ({ } p, null) => $"process {p} (/proc)",
        (null, not null) => "/metrics",
        _ => "none",
    };

    /// <summary>Takes a sample.</summary>
    public async Task<ServerSample> SampleAsync(CancellationToken ct)
    {
        double? cpu = null;
        long? rss = null;
        if (_pid is { } pid)
        {
            (cpu, rss) = ReadProc(pid);
        }

        long? g0 = null, g1 = null, g2 = null, allocated = null, jit = null;
        if (_metrics is not null)
        {
            var m = await ReadMetricsAsync(ct).ConfigureAwait(false);
            if (m is not null)
            {
                g0 = (long?)m.Gen0;
                g1 = (long?)m.Gen1;
                g2 = (long?)m.Gen2;
                allocated = (long?)m.AllocatedBytes;
                jit = (long?)m.JitMethods;
                cpu ??= m.CpuSeconds * 1000;
                rss ??= (long?)m.WorkingSetBytes;
            }
        }

        return new ServerSample(cpu, rss, g0, g1, g2, allocated, jit);
    }

    /// <summary>Reads CPU (ms) and RSS (bytes) of a local process from <c>/proc</c>.</summary>
    internal static (double? CpuMs, long? RssBytes) ReadProc(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");

            // The command name may hold spaces and parentheses; the fields after the last ')' are fixed: state is field 3, utime 14, stime 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            long hz = Sysconf(ScClkTck);
            double cpuMs = ticks * 1000.0 / (hz > 0 ? hz : 100);
            long? rss = null;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                    break;
                }
            }

            return (cpuMs, rss);
        }
        catch (IOException)
        {
            return (null, null);
        }
    }

    /// <summary>The runtime figures in a Prometheus text page, null where absent.</summary>
    internal static RuntimeMetrics ParsePrometheus(string text)
    {
        double? g0 = null, g1 = null, g2 = null, cpu = null, ws = null, allocated = null, jit = null;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.IsEmpty || line[0] == '#')
            {
                continue;
            }

            int space = line.LastIndexOf(' ');
            if (space < 0)
            {
                continue;
            }

            // A line is NAME{LABELS} VALUE [TIMESTAMP]; the timestamp is optional.
            var head = line[..space].TrimEnd();
            var tail = line[(space + 1)..];
            if (!double.TryParse(tail, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || head.Contains(' '))
            {
                int second = head.LastIndexOf(' ');
                if (second < 0 || !double.TryParse(head[(second + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out value))
                {
                    continue;
                }

                head = head[..second];
            }

            if (head.StartsWith("dotnet_gc_collections"))
            {
                if (head.Contains("\"gen0\"", StringComparison.Ordinal))
                {
                    g0 = (g0 ?? 0) + value;
                }
                else if (head.Contains("\"gen1\"", StringComparison.Ordinal))
                {
                    g1 = (g1 ?? 0) + value;
                }
                else if (head.Contains("\"gen2\"", StringComparison.Ordinal))
                {
                    g2 = (g2 ?? 0) + value;
                }
            }
            else if (head.StartsWith("dotnet_process_cpu_time"))
            {
                cpu = (cpu ?? 0) + value;
            }
            else if (head.StartsWith("dotnet_process_memory_working_set"))
            {
                ws = value;
            }
            else if (head.StartsWith("dotnet_gc_heap_total_allocated"))
            {
                allocated = value;
            }
            else if (head.StartsWith("dotnet_jit_compiled_methods"))
            {
                jit = value;
            }
        }

        return new RuntimeMetrics(g0, g1, g2, cpu, ws, allocated, jit);
    }

    /// <inheritdoc />
    public void Dispose() => _metrics?.Dispose();

    private async Task<RuntimeMetrics?> ReadMetricsAsync(CancellationToken ct)
    {
        try
        {
            using var resp = await _metrics!.GetAsync(new Uri("/metrics", UriKind.Relative), ct).ConfigureAwait(false);
            if (!resp.IsSuccessStatusCode)
            {
                return null;
            }

            return ParsePrometheus(await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "sysconf")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial long Sysconf(int name);

    /// <summary>Runtime figures from <c>/metrics</c>.</summary>
    internal sealed record RuntimeMetrics(double? Gen0, double? Gen1, double? Gen2, double? CpuSeconds, double? WorkingSetBytes,
        double? AllocatedBytes = null, double? JitMethods = null);
}
