namespace Loopwire.Server.Telemetry;

/// <summary>The console log format: today's single text lines, or one JSON object per line for machines.</summary>
internal static class LoopwireLogging
{
    public const string Text = "text";
    public const string Json = "json";

    /// <summary>Adds the console logger in the format of <c>Loopwire:LogFormat</c> (read from the builder's configuration).</summary>
    public static void AddLoopwireConsole(this WebApplicationBuilder builder)
    {
        if (string.Equals(builder.Configuration["Loopwire:LogFormat"], Json, StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
    }
}
