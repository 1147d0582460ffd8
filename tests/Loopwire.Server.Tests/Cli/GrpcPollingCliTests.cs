using System.Text.RegularExpressions;

namespace Loopwire.Server.Tests.Cli;

/// <summary><c>serve --grpc-port</c>, and the bench's <c>grpc</c> and <c>http-polling</c> arms against it.</summary>
public sealed partial class GrpcPollingCliTests
{
    [Fact]
    public async Task Bench_GrpcAndPollingArmsAgainstServeWithGrpcPort_WritesResults()
    {
        using var server = await LoopwireProcess.ServeAsync(["--store", "memory", "--grpc-port", "0"]);
        var grpc = GrpcLine().Match(server.Output);
        Assert.True(grpc.Success, server.Output);
        Assert.NotEqual(new Uri(server.Address!).Port, new Uri(grpc.Groups[1].Value).Port);

        string outDir = Path.Combine(Path.GetTempPath(), $"loopwire-bench-{Guid.NewGuid():N}");
        try
        {
            using var bench = LoopwireProcess.Start(["bench", "--base-url", server.Address!, "--grpc-url", grpc.Groups[1].Value,
                "--scenario", "fix-small", "--models", "sim-instant", "--networks", "loopback", "--arms", "grpc,http-polling",
                "--poll-interval", "20", "--out", outDir]);
            int? exit = await bench.WaitForExitAsync(TimeSpan.FromMinutes(3));

            Assert.True(exit == 0, bench.Output);
            string json = await File.ReadAllTextAsync(Path.Combine(outDir, "results.json"));
            Assert.Contains("\"arm\": \"grpc\"", json, StringComparison.Ordinal);
            Assert.Contains("\"arm\": \"http-polling\"", json, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(outDir))
            {
                Directory.Delete(outDir, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("--arms", "grpc,carrier-pigeon", "unknown arm 'carrier-pigeon'")]
    [InlineData("--poll-interval", "0", "--poll-interval must be >= 1")]
    public async Task Bench_BadArmOrPollInterval_IsAnErrorNamingIt(string option, string value, string message)
    {
        using var p = LoopwireProcess.Start(["bench", "--scenario", "fix-small", option, value]);
        int? exit = await p.WaitForExitAsync(LoopwireProcess.StartTimeout);

        Assert.Equal(2, exit);
        Assert.Contains(message, p.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"Loopwire gRPC \(HTTP/2 cleartext\) listening on (http://\S+)")]
    private static partial Regex GrpcLine();
}
