using Loopwire.Bench.Load;
using Spectre.Console;

namespace Loopwire.Cli;

/// <summary>The console tables of <c>bench load</c>.</summary>
internal static class LoadTables
{
    public static void Render(LoadResult r)
    {
        var table = new Table().Title($"bench load — {r.Model}, {r.HistoryTokens:N0}-token history, {r.TurnsPerSession} turns/session, {r.Machine}");
        foreach (var col in new[] { "arm", "turns", "err", "turns/s", "p50/p90/p99 ms", "CPU ms/turn", "RSS MB", "GC 0/1/2", "frames/turn" })
        {
            table.AddColumn(col == "arm" ? new TableColumn(col) : new TableColumn(col).RightAligned());
        }

        foreach (var a in r.Arms)
        {
            table.AddRow(
                a.Repeat is { } n ? $"{a.Arm} #{n}" : a.Arm, $"{a.Turns}", $"{a.Errors}", $"{a.TurnsPerS:F0}",
                $"{a.P50Ms:F1}/{a.P90Ms:F1}/{a.P99Ms:F1}",
                a.ServerCpuMsPerTurn is { } cpu ? $"{cpu:F3}" : "-",
                a.ServerRssMb is { } rss ? $"{rss:F0}" : "-",
                a.Gen0 is null ? "-" : $"{a.Gen0}/{a.Gen1}/{a.Gen2}",
                a.FramesPerTurn is { } f ? $"{f:F1}" : "-");
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[grey]Server figures: {Markup.Escape(r.Server)}{GcNote(r.ServerGc)}. Warm-up: "
            + $"{string.Join(", ", r.Arms.Select(a => $"{a.Arm} {a.WarmupRounds} rounds ({a.WarmupTurns} turns per session slot"
                + (a.WarmupJitMethodsLastWindow is { } j ? $", {j} methods JIT-compiled in its last second" : string.Empty) + ")"))}.[/]");
        var measured = r.Arms.Where(a => a.JitMethodsMeasured is not null || a.ServerAllocKbPerTurn is not null).ToList();
        if (measured.Count > 0)
        {
            AnsiConsole.MarkupLine("[grey]During the measured turns: " + string.Join("; ", measured.Select(a => $"{a.Arm} "
                + $"{(a.ServerAllocKbPerTurn is { } kb ? $"{kb:F1} KiB allocated per turn" : "allocation unknown")}, "
                + $"{(a.JitMethodsMeasured is { } m ? $"{m} methods JIT-compiled" : "JIT unknown")}")) + ".[/]");
        }
        if (r.Ceiling is { } c)
        {
            string median = c.TurnsPerSRatios.Count > 1 ? $"median of {c.TurnsPerSRatios.Count} " : "";
            AnsiConsole.MarkupLine($"ws ÷ ceiling, {median}CPU per turn [bold]{(c.CpuPerTurnRatio is { } x ? $"{x:F2}×" : "-")}[/] (target ≤ 1.5), "
                + $"turns/s [bold]{c.TurnsPerSRatio:F2}×[/] (target ≥ 0.70); {Markup.Escape(c.CpuAttribution)}.");
            if (c.TurnsPerSRatios.Count > 1)
            {
                AnsiConsole.MarkupLine("[grey]Each repeat: CPU " + string.Join(", ", c.CpuPerTurnRatios.Select(v => v is { } x ? $"{x:F2}×" : "-"))
                    + "; turns/s " + string.Join(", ", c.TurnsPerSRatios.Select(v => $"{v:F2}×")) + ".[/]");
            }
        }
    }

    public static void Render(HoldResult h)
    {
        var table = new Table().Title($"bench load --hold — {(h.SharedHistory ? "one history shared by every session" : "a history of its own per session")}, {h.Machine}");
        table.AddColumn("sessions held").AddColumn(new TableColumn("errors").RightAligned()).AddColumn(new TableColumn("history tokens").RightAligned())
            .AddColumn(new TableColumn("baseline RSS MB").RightAligned()).AddColumn(new TableColumn("held RSS MB").RightAligned())
            .AddColumn(new TableColumn("KB per session").RightAligned()).AddColumn(new TableColumn("open s").RightAligned());
        table.AddRow($"{h.Held:N0} / {h.Sessions:N0}", $"{h.Errors:N0}", $"{h.HistoryTokens:N0}", $"{h.BaselineRssMb:N0}", $"{h.HeldRssMb:N0}",
            h.RssKbPerSession is { } kb ? $"{kb:N1}" : "-", $"{h.SecondsToOpen:F1}");
        AnsiConsole.Write(table);
        if (h.FirstError is not null)
        {
            AnsiConsole.MarkupLine($"[red]First error:[/] {Markup.Escape(h.FirstError)}");
        }

        AnsiConsole.MarkupLine(h.SettleSeconds > HoldRunner.ReleaseWindow.TotalSeconds
            ? $"[grey]Held RSS{GcNote(h.ServerGc)}: the lowest reading, once a second, from {h.SettleSeconds - HoldRunner.ReleaseWindow.TotalSeconds:F0} to "
              + $"{h.SettleSeconds:F0} s after the last session answered: the server packs a session idle for Loopwire:WebSocket:PackIdleAfter "
              + "(default 5 s) and gives packed memory back to the OS at most every 10 s.[/]"
            : $"[grey]Held RSS read{GcNote(h.ServerGc)} {h.SettleSeconds:F0} s after the last session answered.[/]");
        AnsiConsole.MarkupLine($"[grey]Open-file limit of this process: {(h.FileDescriptorLimit is { } l ? l.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "unknown")}.[/]");
    }

    private static string GcNote(string? gc) => gc is null ? "" : $" ({gc} GC)";
}
