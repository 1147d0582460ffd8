using Loopwire.Server.Auth;

namespace Loopwire.Server.Tests.Auth;

public sealed class ApiKeySourcesTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.1.2.3", true)]
    [InlineData("::1", true)]
    [InlineData("[::1]", true)]
    [InlineData("localhost", true)]
    [InlineData("LOCALHOST", true)]
    [InlineData("0.0.0.0", false)]
    [InlineData("::", false)]
    [InlineData("*", false)]
    [InlineData("+", false)]
    [InlineData("192.168.1.10", false)]
    [InlineData("example.com", false)]
    public void IsLoopbackHost_Host_Classified(string host, bool expected) => Assert.Equal(expected, ApiKeySources.IsLoopbackHost(host));

    [Fact]
    public void CheckBind_NoKeysNonLoopback_NamesTheFlags()
    {
        string? message = ApiKeySources.CheckBind("0.0.0.0", 0);

        Assert.NotNull(message);
        Assert.Contains("--api-key", message, StringComparison.Ordinal);
        Assert.Contains(ApiKeySources.EnvironmentVariable, message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckBind_KeysOrLoopback_Allowed()
    {
        Assert.Null(ApiKeySources.CheckBind("0.0.0.0", 1));
        Assert.Null(ApiKeySources.CheckBind("127.0.0.1", 0));
    }

    [Fact]
    public void ParseList_CommaSeparated_TrimsAndDropsBlanks() =>
        Assert.Equal(["a", "b=t", "c"], ApiKeySources.ParseList(" a, b=t ,,c "));

    [Fact]
    public void TryReadFile_CommentsAndBlanks_Skipped()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "# comment\nk1\n\nk2=tenant # note\n");

            Assert.Null(ApiKeySources.TryReadFile(file, out var keys));
            Assert.Equal(["k1", "k2=tenant"], keys);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void TryReadFile_LineWithSpace_ErrorNamesLine()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "ok\nbad key\n");

            Assert.Contains("line 2", ApiKeySources.TryReadFile(file, out _), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
