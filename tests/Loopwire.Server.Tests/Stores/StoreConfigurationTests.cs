using Loopwire.Engine.Stores;
using Loopwire.Server.Hosting;
using Loopwire.Server.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Loopwire.Server.Tests.Stores;

public sealed class StoreConfigurationTests
{
    private const string Password = "hunter2-never-shown";

    [Fact]
    public void Bind_StoreValueAndRetentionChild_BothRead()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Loopwire:Store"] = "sqlite:x.db",
            ["Loopwire:Store:RetentionDays"] = "30",
        }).Build();

        Assert.Equal("sqlite:x.db", config.GetSection(LoopwireServerOptions.Section).Get<LoopwireServerOptions>()!.Store);
        Assert.Equal(30, config.GetSection(StoreRetentionOptions.Section).Get<StoreRetentionOptions>()!.RetentionDays);
    }

    [Fact]
    public void Bind_EnvironmentVariables_StoreAndRetentionDaysBothRead()
    {
        string prefix = $"LWTEST_{Guid.NewGuid():N}_";
        Environment.SetEnvironmentVariable(prefix + "Loopwire__Store", "memory");
        Environment.SetEnvironmentVariable(prefix + "Loopwire__Store__RetentionDays", "7");
        try
        {
            var config = new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build();

            Assert.Equal("memory", config.GetSection(LoopwireServerOptions.Section).Get<LoopwireServerOptions>()!.Store);
            Assert.Equal(7, config.GetSection(StoreRetentionOptions.Section).Get<StoreRetentionOptions>()!.RetentionDays);
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "Loopwire__Store", null);
            Environment.SetEnvironmentVariable(prefix + "Loopwire__Store__RetentionDays", null);
        }
    }

    [Fact]
    public void Bind_NoRetention_KeepsForever()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Loopwire:Store"] = "memory" }).Build();

        Assert.Equal(0, (config.GetSection(StoreRetentionOptions.Section).Get<StoreRetentionOptions>() ?? new()).RetentionDays);
    }

    [Theory]
    [InlineData("postgres:Host=db.internal;Username=lw;Password=" + Password)]
    [InlineData("Host=db.internal;Username=lw;Password=" + Password)]
    [InlineData("postgres:Host=db.internal;Bogus Key=1;Password=" + Password)]
    public void CreateStoreAndDescribe_ConnectionStringWithPassword_NeverShowPassword(string spec)
    {
        string shown = LoopwireHost.DescribeStore(spec);
        string? error = null;
        try
        {
            using var store = LoopwireHost.CreateStore(spec) as IDisposable;
        }
        catch (OptionsValidationException ex)
        {
            error = ex.Message;
        }

        Assert.DoesNotContain(Password, shown, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public void CreateStore_Postgres_OpensNoConnection()
    {
        // Nothing listens on port 1: construction must not connect (the server connects when it starts).
        using var store = (IDisposable)LoopwireHost.CreateStore("postgres:Host=127.0.0.1;Port=1;Username=lw");

        Assert.IsType<Loopwire.Engine.Stores.Postgres.PostgresResponseStore>(store);
    }

    [Fact]
    public async Task Serve_DatabaseUnreachable_ExitsWithOneLineNamingHostNotPassword()
    {
        using var p = LoopwireProcess.Start(["serve", "--port", "0", "--store", $"postgres:Host=127.0.0.1;Port=1;Username=lw;Password={Password};Timeout=3"]);

        Assert.Equal(2, await p.WaitForExitAsync(LoopwireProcess.StartTimeout));
        Assert.Contains("127.0.0.1:1", p.Output, StringComparison.Ordinal);
        Assert.Contains("PostgreSQL", p.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, p.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", p.Output, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^\s+at \S+\(", p.Output);
    }

    [Fact]
    public async Task Serve_StoreFromEnvironment_UsedAndNotInHelp()
    {
        var env = new Dictionary<string, string?> { ["LOOPWIRE_STORE"] = $"postgres:Host=127.0.0.1;Port=1;Username=lw;Password={Password};Timeout=3" };
        using var serve = LoopwireProcess.Start(["serve", "--port", "0"], env);
        using var help = LoopwireProcess.Start(["serve", "--help"], env);

        Assert.Equal(2, await serve.WaitForExitAsync(LoopwireProcess.StartTimeout));
        Assert.Contains("127.0.0.1:1", serve.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, serve.Output, StringComparison.Ordinal);
        Assert.Equal(0, await help.WaitForExitAsync(LoopwireProcess.StartTimeout));
        Assert.Contains("postgres:", help.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, help.Output, StringComparison.Ordinal);
    }
}
