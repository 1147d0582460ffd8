using System.Text;
using System.Text.Json;
using Loopwire.Protocol.Wire;

namespace Loopwire.Protocol.Tests.Wire;

public sealed class MessageTypeTests
{
    [Theory]
    [InlineData("""{"type":"response.create","model":"m"}""")]
    [InlineData("""{"model":"m","input":[{"type":"message"}],"type":"response.create"}""")]
    public void Read_TopLevelType_Found(string json)
    {
        var type = MessageType.Read(Encoding.UTF8.GetBytes(json));

        Assert.Equal(MessageTypeStatus.Found, type.Status);
        Assert.Equal("response.create", type.Type);
    }

    [Fact]
    public void Read_NoType_Missing() =>
        Assert.Equal(MessageTypeStatus.Missing, MessageType.Read("""{"input":[{"type":"message"}]}"""u8).Status);

    [Theory]
    [InlineData("[]")]
    [InlineData("\"response.create\"")]
    [InlineData("42")]
    public void Read_NotAnObject_NotAnObject(string json) =>
        Assert.Equal(MessageTypeStatus.NotAnObject, MessageType.Read(Encoding.UTF8.GetBytes(json)).Status);

    [Fact]
    public void Read_TypeIsNumber_NotAString()
    {
        var type = MessageType.Read("""{"type":5}"""u8);

        Assert.Equal(MessageTypeStatus.NotAString, type.Status);
        Assert.Null(type.Type);
    }

    [Fact]
    public void Read_MalformedBeforeType_Throws() =>
        Assert.ThrowsAny<JsonException>(() => MessageType.Read("""{"model":}"""u8));

    [Fact]
    public void Read_MalformedAfterType_StopsAtTypeUnlessScanningForError()
    {
        var json = """{"type":"response.processed","x":}"""u8.ToArray();

        Assert.Equal("response.processed", MessageType.Read(json).Type);
        Assert.ThrowsAny<JsonException>(() => MessageType.Read(json, findErrorObject: true));
    }

    [Theory]
    [InlineData("""{"type":"error","status":400,"error":{"message":"m"}}""", true)]
    [InlineData("""{"error":{"message":"m"},"type":"error"}""", true)]
    [InlineData("""{"type":"error","code":"x","message":"m"}""", false)]
    [InlineData("""{"type":"error","error":null}""", false)]
    public void Read_FindErrorObject_NotesNestedErrorAnywhereAtTopLevel(string json, bool expected)
    {
        var type = MessageType.Read(Encoding.UTF8.GetBytes(json), findErrorObject: true);

        Assert.Equal("error", type.Type);
        Assert.Equal(expected, type.HasErrorObject);
    }

    [Fact]
    public void Read_WithoutFindErrorObject_DoesNotReportError() =>
        Assert.False(MessageType.Read("""{"error":{},"type":"error"}"""u8).HasErrorObject);
}
