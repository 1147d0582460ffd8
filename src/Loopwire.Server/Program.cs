using Loopwire.Server.Hosting;

var app = LoopwireHost.Build(args);
await app.RunAsync();

/// <summary>The server entry point (also the anchor for WebApplicationFactory in tests).</summary>
public partial class Program;
