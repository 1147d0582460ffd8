using Loopwire.Bench.Load;

namespace Loopwire.Bench.Tests.Load;

public sealed class ServerProbeTests
{
    [Fact]
    public void ParsePrometheus_RuntimeMeter_SumsGenerationsAndCpuModes()
    {
        const string Text = """
            # TYPE dotnet_gc_collections_total counter
            dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen2"} 3
            dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen1"} 5
            dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen0"} 17 1700000000000
            dotnet_process_cpu_time_seconds_total{otel_scope_name="System.Runtime",cpu_mode="user"} 2.5
            dotnet_process_cpu_time_seconds_total{otel_scope_name="System.Runtime",cpu_mode="system"} 0.5
            dotnet_process_memory_working_set_bytes{otel_scope_name="System.Runtime"} 145215488
            dotnet_gc_heap_total_allocated_bytes_total{otel_scope_name="System.Runtime"} 987654321
            dotnet_jit_compiled_methods_total{otel_scope_name="System.Runtime"} 41234
            loopwire_turns_total{transport="ws"} 9
            """;

        var m = ServerProbe.ParsePrometheus(Text);

        Assert.Equal(17, m.Gen0);
        Assert.Equal(5, m.Gen1);
        Assert.Equal(3, m.Gen2);
        Assert.Equal(3.0, m.CpuSeconds);
        Assert.Equal(145215488, m.WorkingSetBytes);
        Assert.Equal(987654321, m.AllocatedBytes);
        Assert.Equal(41234, m.JitMethods);
    }

    [Fact]
    public void ParsePrometheus_NoRuntimeMeter_AllNull()
    {
        var m = ServerProbe.ParsePrometheus("loopwire_turns_total 3\n");

        Assert.Null(m.Gen0);
        Assert.Null(m.CpuSeconds);
        Assert.Null(m.WorkingSetBytes);
        Assert.Null(m.JitMethods);
    }

    [Fact]
    public async Task SampleAsync_ThisProcess_ReadsCpuAndRss()
    {
        using var probe = new ServerProbe(Environment.ProcessId, null, null);

        var sample = await probe.SampleAsync(CancellationToken.None);

        Assert.True(sample.CpuMs > 0);
        Assert.True(sample.RssBytes > 0);
        Assert.Null(sample.Gen0);
    }
}
