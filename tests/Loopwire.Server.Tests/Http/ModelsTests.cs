using System.Net;
using Xunit.Abstractions;
using static Loopwire.Server.Tests.Http.ResponsesHttp;

namespace Loopwire.Server.Tests.Http;

public sealed class ModelsTests : IClassFixture<LoopwireFactory>
{
    private readonly HttpClient _client;

    public ModelsTests(LoopwireFactory factory, ITestOutputHelper output)
    {
        factory.Output = output;
        _client = factory.CreateClient();
    }

    [Fact]
    public async Task GetModels_Default_ListsSimulatedProfiles()
    {
        using var http = await _client.GetAsync(new Uri("/v1/models", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, http.StatusCode);
        var body = await ReadJsonAsync(http);
        Assert.Equal("list", body.Str("object"));
        var models = body.GetProperty("data").EnumerateArray().ToList();
        Assert.Subset(models.Select(m => m.Str("id")).ToHashSet(), new HashSet<string> { "sim-gpt5", "sim-spark", "sim-burst", "sim-instant" });
        Assert.All(models, m =>
        {
            Assert.Equal("model", m.Str("object"));
            Assert.True(m.GetProperty("created").GetInt64() > 0);
            Assert.False(string.IsNullOrEmpty(m.Str("owned_by")));
        });
    }
}
