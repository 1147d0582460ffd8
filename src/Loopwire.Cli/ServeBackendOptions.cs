using System.CommandLine;

namespace Loopwire.Cli;

/// <summary>The <c>serve</c> options that put real models behind Loopwire: <c>--backend</c> and <c>--model-route</c>.</summary>
internal static class ServeBackendOptions
{
    public static Option<string[]> Backend() => new("--backend")
    {
        Description = "An upstream model server, NAME=URL (repeatable). URL is the API base (…/v1). A plain URL is an OpenAI-compatible " +
            "Chat Completions server (llama.cpp, Ollama, vLLM); prefix it to choose: chat+URL, responses+URL (Responses over HTTP), " +
            "responses-ws+URL (Responses over pooled upstream WebSockets). Example: --backend chat=http://127.0.0.1:11434/v1. " +
            "API keys and limits: Loopwire:Backends:NAME:ApiKey|TimeoutSeconds|MaxConcurrency (environment Loopwire__Backends__NAME__ApiKey).",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<string[]> ModelRoute() => new("--model-route")
    {
        Description = "Route model names to a backend, GLOB=NAME (repeatable, tried in order; * and ?), e.g. 'llama*=chat'. " +
            "Unrouted names go to the simulated model (route target 'simulated').",
    };

    /// <summary>Adds the configuration keys for the given values; an error message for a malformed one.</summary>
    public static string? AddSettings(Dictionary<string, string?> settings, string[]? backends, string[]? routes)
    {
        foreach (var spec in backends ?? [])
        {
            int eq = spec.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == spec.Length - 1)
            {
                return $"--backend '{spec}': expected NAME=URL or NAME=TYPE+URL (TYPE: chat, responses, responses-ws).";
            }

            string name = spec[..eq], value = spec[(eq + 1)..], type = "chat";
            int plus = value.IndexOf('+', StringComparison.Ordinal);
            if (plus > 0 && !value[..plus].Contains(':', StringComparison.Ordinal))
            {
                type = value[..plus];
                value = value[(plus + 1)..];
            }

            settings[$"Loopwire:Backends:{name}:Type"] = type;
            settings[$"Loopwire:Backends:{name}:BaseUrl"] = value;
        }

        int i = 0;
        foreach (var route in routes ?? [])
        {
            settings[$"Loopwire:ModelRoutes:{i++}"] = route;
        }

        return null;
    }
}
