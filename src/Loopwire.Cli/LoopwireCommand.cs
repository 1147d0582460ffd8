using System.CommandLine;
using Loopwire.Server.Hosting;

namespace Loopwire.Cli;

/// <summary>The <c>loopwire</c> command line. It only parses arguments and calls the libraries.</summary>
internal static class LoopwireCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Loopwire: a Responses-API server with WebSocket mode, a simulated model, an agent and a benchmark.");
        root.Subcommands.Add(ServeCommand());
        root.Subcommands.Add(AgentCommand.Create());
        root.Subcommands.Add(BenchCommands.Create());
        return root;
    }

    private static Command ServeCommand()
    {
        var port = new Option<int>("--port") { Description = "TCP port to listen on (0 picks a free one).", DefaultValueFactory = _ => 8080 };
        var host = new Option<string>("--host") { Description = "Address to bind.", DefaultValueFactory = _ => "127.0.0.1" };
        var store = new Option<string>("--store") { Description = "Response store: sqlite:PATH or memory.", DefaultValueFactory = _ => "sqlite:loopwire.db" };
        var profile = new Option<string>("--default-model-profile")
        {
            Description = "Simulated profile for model names that are not a profile (sim-gpt5, sim-spark, sim-burst, sim-instant).",
            DefaultValueFactory = _ => "sim-spark",
        };
        var backends = ServeBackendOptions.Backend();
        var routes = ServeBackendOptions.ModelRoute();
        var cmd = new Command("serve", "Start the Responses-API server on the embedded simulated model (and any --backend upstreams).")
        {
            port, host, store, profile, backends, routes,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var settings = new Dictionary<string, string?>
            {
                ["Loopwire:Store"] = parse.GetValue(store),
                ["Loopwire:DefaultModelProfile"] = parse.GetValue(profile),
            };
            if (ServeBackendOptions.AddSettings(settings, parse.GetValue(backends), parse.GetValue(routes)) is { } badBackend)
            {
                await Console.Error.WriteLineAsync($"loopwire serve: {badBackend}");
                return 2;
            }

            string url = $"http://{FormatHost(parse.GetValue(host)!)}:{parse.GetValue(port)}";
            WebApplication app;
            try
            {
                app = LoopwireHost.Build([], b =>
                {
                    b.Configuration.AddInMemoryCollection(settings);
                    b.WebHost.UseUrls(url);
                });
                await app.StartAsync(ct);
            }
            catch (Exception ex) when (ex is Microsoft.Extensions.Options.OptionsValidationException or IOException or ArgumentException)
            {
                await Console.Error.WriteLineAsync($"loopwire serve: {ex.Message}");
                return 2;
            }

            foreach (var address in app.Urls)
            {
                Console.WriteLine($"Loopwire listening on {address}  (POST {address}/v1/responses, store {settings["Loopwire:Store"]})");
            }

            try
            {
                await app.WaitForShutdownAsync(ct);
            }
            finally
            {
                await app.StopAsync(CancellationToken.None);
                await app.DisposeAsync();
            }

            return 0;
        });
        return cmd;
    }

    private static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
}
