using Microsoft.Extensions.Logging.Console;

namespace Loopwire.Server.Telemetry;

/// <summary>The console log format: today's single text lines, or one JSON object per line for machines.</summary>
internal static class LoopwireLogging
{
    public const string Text = "text";
    public const string Json = "json";

    /// <summary>Adds the console logger; its format follows <c>Loopwire:LogFormat</c>, read when the logger is created.</summary>
    /// <remarks>Read late, so configuration added after this call (the CLI's settings) still decides it.</remarks>
    public static void AddLoopwireConsole(this WebApplicationBuilder builder)
    {
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.Configure<JsonConsoleFormatterOptions>(o =>
        {
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        builder.Services.AddOptions<ConsoleLoggerOptions>().PostConfigure<IConfiguration>((o, config) =>
        {
            if (string.Equals(config["Loopwire:LogFormat"], Json, StringComparison.OrdinalIgnoreCase))
            {
                o.FormatterName = ConsoleFormatterNames.Json;
            }
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
    }
}
