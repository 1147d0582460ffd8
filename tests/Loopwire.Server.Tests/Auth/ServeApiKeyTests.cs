using System.Net;
using System.Net.Http.Headers;
using Loopwire.Server.Auth;

namespace Loopwire.Server.Tests.Auth;

/// <summary><c>loopwire serve</c> with keys from <c>--api-key</c>, <c>LOOPWIRE_API_KEYS</c> and <c>--api-keys-file</c>, and the loopback rule.</summary>
public sealed class ServeApiKeyTests
{
    [Fact]
    public async Task Serve_NonLoopbackHostWithoutKeys_ExitsWith2NamingTheFlag()
    {
        using var p = LoopwireProcess.Start(["serve", "--port", "0", "--host", "0.0.0.0", "--store", "memory"]);
        int? exit = await p.WaitForExitAsync(LoopwireProcess.StartTimeout);

        Assert.Equal(2, exit);
        Assert.Contains("--api-key", p.Output, StringComparison.Ordinal);
        Assert.Contains("0.0.0.0", p.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Loopwire listening on", p.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_NonLoopbackHostWithKey_StartsAndRequiresIt()
    {
        using var p = await LoopwireProcess.ServeAsync(["--host", "0.0.0.0", "--store", "memory", "--api-key", "sk-one"]);
        var port = new Uri(p.Address!).Port;
        var loopback = $"http://127.0.0.1:{port}";

        Assert.Equal(HttpStatusCode.Unauthorized, await GetModelsAsync(loopback, null));
        Assert.Equal(HttpStatusCode.OK, await GetModelsAsync(loopback, "sk-one"));
    }

    [Fact]
    public async Task Serve_RepeatedApiKeyFlag_AcceptsEachKeyOnly()
    {
        using var p = await LoopwireProcess.ServeAsync(["--store", "memory", "--api-key", "sk-a", "--api-key", "sk-b=acme"]);

        Assert.Equal(HttpStatusCode.OK, await GetModelsAsync(p.Address!, "sk-a"));
        Assert.Equal(HttpStatusCode.OK, await GetModelsAsync(p.Address!, "sk-b"));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetModelsAsync(p.Address!, "sk-c"));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetModelsAsync(p.Address!, null));
    }

    [Fact]
    public async Task Serve_EnvironmentKeys_AcceptsEachKey()
    {
        using var p = await LoopwireProcess.ServeAsync(["--store", "memory"],
            new() { [ApiKeySources.EnvironmentVariable] = "sk-env1, sk-env2=team" });

        Assert.Equal(HttpStatusCode.OK, await GetModelsAsync(p.Address!, "sk-env1"));
        Assert.Equal(HttpStatusCode.OK, await GetModelsAsync(p.Address!, "sk-env2"));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetModelsAsync(p.Address!, null));
    }

    [Fact]
    public async Task Serve_KeysFile_AcceptsKeysAndSkipsComments()
    {
        string file = Path.Combine(Path.GetTempPath(), $"loopwire-keys-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(file, "# team keys\nsk-file1=acme\n\n  sk-file2  # trailing comment\n#sk-commented\n");
        try
        {
            using var p = await LoopwireProcess.ServeAsync(["--store", "memory", "--api-keys-file", file]);

            Assert.Equal(HttpStatusCode.OK, await GetModelsAsync(p.Address!, "sk-file1"));
            Assert.Equal(HttpStatusCode.OK, await GetModelsAsync(p.Address!, "sk-file2"));
            Assert.Equal(HttpStatusCode.Unauthorized, await GetModelsAsync(p.Address!, "sk-commented"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Serve_MissingKeysFile_ExitsWith2NamingTheFile()
    {
        using var p = LoopwireProcess.Start(["serve", "--port", "0", "--store", "memory", "--api-keys-file", "/nonexistent/loopwire-keys.txt"]);

        Assert.Equal(2, await p.WaitForExitAsync(LoopwireProcess.StartTimeout));
        Assert.Contains("/nonexistent/loopwire-keys.txt", p.Output, StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> GetModelsAsync(string address, string? key)
    {
        using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await http.GetAsync("/v1/models");
        return response.StatusCode;
    }
}
