using Loopwire.Client.Sessions;
using Loopwire.Protocol.Items;
using Loopwire.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using static Loopwire.Client.Tests.Support.LoopwireServer;

namespace Loopwire.Client.Tests.Sessions;

/// <summary>The default transports (ClientWebSocket, HttpClient) against a real Kestrel on loopback, with an API key.</summary>
public sealed class ResponseSessionKestrelTests : IAsyncLifetime
{
    private WebApplication? _app;
    private Uri? _endpoint;

    public async Task InitializeAsync()
    {
        _app = LoopwireHost.Build(["--urls", "http://127.0.0.1:0", "--Loopwire:Store=memory", "--Loopwire:ApiKeys:0=sk-test",
            "--Logging:LogLevel:Default=Warning"]);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _endpoint = new Uri(address + "/");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(SessionTransport.WebSocket)]
    [InlineData(SessionTransport.HttpChained)]
    public async Task RunTurn_DefaultTransportsWithApiKey_ChainsSecondTurn(SessionTransport transport)
    {
        await using var session = new ResponseSession(new ResponseSessionOptions { Endpoint = _endpoint, Transport = transport, ApiKey = "sk-test" });
        List<ResponseItem> conversation = [User("Hello there.")];

        var first = await session.RunTurnAsync(conversation, Options());
        conversation.AddRange(first.Output);
        conversation.Add(User("And then?"));
        var second = await session.RunTurnAsync(conversation, Options());

        Assert.True(second.Metrics.UsedPreviousResponseId);
        Assert.Equal(first.Response.Id, second.Response.PreviousResponseId);
    }

    [Theory]
    [InlineData(SessionTransport.WebSocket)]
    [InlineData(SessionTransport.HttpStateless)]
    public async Task RunTurn_WrongApiKey_ThrowsUnauthorized(SessionTransport transport)
    {
        var options = new ResponseSessionOptions { Endpoint = _endpoint, Transport = transport, ApiKey = "sk-wrong", MaxConnectAttempts = 3 };
        await using var session = new ResponseSession(options);

        var ex = await Assert.ThrowsAsync<ResponsesApiException>(() => session.RunTurnAsync([User("Hi.")], Options()));

        Assert.Equal(401, ex.Status);
    }
}
