using System.CommandLine;
using Loopwire.Server.Auth;
using Loopwire.Engine.Stores;
using Loopwire.Server.Grpc;
using Loopwire.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Loopwire.Cli;

/// <summary>The <c>loopwire</c> command line. It only parses arguments and calls the libraries.</summary>
internal static class LoopwireCommand
{
    /// <summary>The environment variable read when <c>--store</c> is not given.</summary>
    public const string StoreEnvironmentVariable = "LOOPWIRE_STORE";

    public static RootCommand Create()
    {
        var root = new RootCommand("Loopwire: a Responses-API server with WebSocket mode, a simulated model, an agent and a benchmark.");
        root.Subcommands.Add(ServeCommand());
        root.Subcommands.Add(AgentCommand.Create());
        root.Subcommands.Add(BenchCommands.Create());
        root.Subcommands.Add(FuzzCommand.Create());
        return root;
    }

    private static Command ServeCommand()
    {
        var port = new Option<int>("--port") { Description = "TCP port to listen on (0 picks a free one).", DefaultValueFactory = _ => 8080 };
        var grpcPort = new Option<int?>("--grpc-port")
        {
            Description = "Also serve the gRPC transport (loopwire.v1.Responses/Connect) over HTTP/2 cleartext on this port (0 picks a free one); " +
                "Kestrel speaks cleartext HTTP/2 only on a port of its own. Also Loopwire:Grpc:Port.",
        };
        var host = new Option<string>("--host") { Description = "Address to bind.", DefaultValueFactory = _ => "127.0.0.1" };
        // No default value here: --help prints defaults, and one read from LOOPWIRE_STORE could hold a password.
        var store = new Option<string?>("--store")
        {
            Description = $"Response store: sqlite:PATH (default sqlite:loopwire.db), memory, or postgres:CONNECTION STRING " +
                $"(Host=…;Database=…;Username=…;Password=…). Also from {StoreEnvironmentVariable} or Loopwire:Store.",
        };
        var profile = new Option<string>("--default-model-profile")
        {
            Description = "Simulated profile for model names that are not a profile (sim-gpt5, sim-spark, sim-burst, sim-instant).",
            DefaultValueFactory = _ => "sim-spark",
        };
        var apiKeys = new Option<string[]>("--api-key")
        {
            Description = $"Accept 'Authorization: Bearer KEY' (repeatable); KEY=TENANT scopes stored responses to TENANT. Also from " +
                $"{ApiKeySources.EnvironmentVariable} (comma-separated) and --api-keys-file. Without keys only loopback hosts are allowed.",
            AllowMultipleArgumentsPerToken = false,
        };
        var apiKeysFile = new Option<string?>("--api-keys-file") { Description = "A file of API keys: one KEY or KEY=TENANT per line, # comments." };
        var logFormat = new Option<string>("--log-format")
        {
            Description = "Console log format: text (one line per event) or json (one JSON object per line, for log shippers).",
            DefaultValueFactory = _ => "text",
        };
        logFormat.AcceptOnlyFromAmong("text", "json");
        var nodeName = new Option<string?>("--node-name")
        {
            Description = "This node's name in the x-loopwire-node response header (default HOSTNAME:PORT). Also Loopwire:NodeName.",
        };
        var backends = ServeBackendOptions.Backend();
        var routes = ServeBackendOptions.ModelRoute();
        var cmd = new Command("serve", "Start the Responses-API server on the embedded simulated model (and any --backend upstreams).")
        {
            port, grpcPort, host, store, profile, apiKeys, apiKeysFile, logFormat, nodeName, backends, routes,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var settings = new Dictionary<string, string?>
            {
                ["Loopwire:DefaultModelProfile"] = parse.GetValue(profile),
                ["Loopwire:LogFormat"] = parse.GetValue(logFormat),
            };
            if (parse.GetValue(nodeName) is { Length: > 0 } node)
            {
                settings["Loopwire:NodeName"] = node;
            }

            if (parse.GetValue(grpcPort) is { } gp)
            {
                settings[GrpcCleartextEndpoint.PortKey] = gp.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            if ((parse.GetValue(store) ?? Environment.GetEnvironmentVariable(StoreEnvironmentVariable)) is { Length: > 0 } storeSpec)
            {
                settings["Loopwire:Store"] = storeSpec;
            }

            if (ServeBackendOptions.AddSettings(settings, parse.GetValue(backends), parse.GetValue(routes)) is { } badBackend)
            {
                await Console.Error.WriteLineAsync($"loopwire serve: {badBackend}");
                return 2;
            }

            var keys = new List<string>(parse.GetValue(apiKeys) ?? []);
            keys.AddRange(ApiKeySources.ParseList(Environment.GetEnvironmentVariable(ApiKeySources.EnvironmentVariable)));
            if (parse.GetValue(apiKeysFile) is { } file)
            {
                if (ApiKeySources.TryReadFile(file, out var fromFile) is { } badFile)
                {
                    await Console.Error.WriteLineAsync($"loopwire serve: {badFile}");
                    return 2;
                }

                keys.AddRange(fromFile);
            }

            for (int i = 0; i < keys.Count; i++)
            {
                settings[$"Loopwire:ApiKeys:{i}"] = keys[i];
            }

            string hostName = parse.GetValue(host)!;
            string url = $"http://{FormatHost(hostName)}:{parse.GetValue(port)}";
            WebApplication app;
            int configured;
            try
            {
                app = LoopwireHost.Build([], b =>
                {
                    b.Configuration.AddInMemoryCollection(settings);
                    b.WebHost.UseUrls(url);
                });

                // Keys may also come from configuration (appsettings, Loopwire__ApiKeys__0): count what the server will use.
                configured = app.Services.GetRequiredService<IOptions<LoopwireServerOptions>>().Value.ApiKeys
                    .Count(k => !string.IsNullOrWhiteSpace(k));
                if (ApiKeySources.CheckBind(hostName, configured) is { } refused)
                {
                    await app.DisposeAsync();
                    await Console.Error.WriteLineAsync($"loopwire serve: {refused}");
                    return 2;
                }

                await LoopwireHost.ConnectStoreAsync(app.Services, ct);
                await app.StartAsync(ct);
            }
            catch (Exception ex) when (ex is OptionsValidationException or IOException or ArgumentException or StoreUnavailableException)
            {
                await Console.Error.WriteLineAsync($"loopwire serve: {ex.Message}");
                return 2;
            }

            string storeShown = LoopwireHost.DescribeStore(app.Services.GetRequiredService<IOptions<LoopwireServerOptions>>().Value.Store);
            var grpcUrl = app.Services.GetRequiredService<GrpcCleartextEndpoint>().Url;
            if (grpcUrl is not null)
            {
                Console.WriteLine($"Loopwire gRPC (HTTP/2 cleartext) listening on {grpcUrl.ToString().TrimEnd('/')}  (loopwire.v1.Responses/Connect)");
            }

            foreach (var address in app.Urls.Where(u => grpcUrl is null || new Uri(u).Port != grpcUrl.Port))
            {
                Console.WriteLine($"Loopwire listening on {address}  (POST {address}/v1/responses, store {storeShown}, " +
                    $"{(configured > 0 ? $"{configured} API key(s)" : "no API keys")})");
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
