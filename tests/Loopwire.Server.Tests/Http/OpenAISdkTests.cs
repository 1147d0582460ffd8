#pragma warning disable OPENAI001 // The Responses client is marked experimental.
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json;
using OpenAI.Responses;
using Xunit.Abstractions;

namespace Loopwire.Server.Tests.Http;

/// <summary>The official OpenAI .NET SDK against the server: anything it cannot parse is a server bug.</summary>
public sealed class OpenAISdkTests : IClassFixture<LoopwireFactory>
{
    private const string Model = LoopwireFactory.Model;

    private readonly ResponsesClient _client;

    public OpenAISdkTests(LoopwireFactory factory, ITestOutputHelper output)
    {
        factory.Output = output;
        _client = new ResponsesClient(new ApiKeyCredential("test"), new ResponsesClientOptions
        {
            Endpoint = new Uri(factory.Server.BaseAddress, "/v1"),
            Transport = new HttpClientPipelineTransport(factory.CreateClient()),
        });
    }

    [Fact]
    public async Task CreateResponse_Text_ParsesResponse()
    {
        ResponseResult response = await _client.CreateResponseAsync(Model, "Say hello.");

        Assert.StartsWith("resp_", response.Id);
        Assert.Equal(ResponseStatus.Completed, response.Status);
        Assert.Equal(Model, response.Model);
        var message = Assert.IsAssignableFrom<MessageResponseItem>(Assert.Single(response.OutputItems));
        Assert.StartsWith("msg_", message.Id);
        Assert.False(string.IsNullOrWhiteSpace(response.GetOutputText()));
        Assert.Equal(response.GetOutputText(), Assert.Single(message.Content).Text);
        Assert.Empty(message.Content[0].OutputTextAnnotations);
        Assert.True(response.Usage.InputTokenCount > 0);
        Assert.True(response.Usage.OutputTokenCount > 0);
        Assert.Equal(response.Usage.InputTokenCount + response.Usage.OutputTokenCount, response.Usage.TotalTokenCount);
        Assert.Null(response.PreviousResponseId);
        Assert.Null(response.Error);
    }

    [Fact]
    public async Task CreateResponseStreaming_Text_CollectsDeltasAndCompletes()
    {
        var text = new StringBuilder();
        var kinds = new List<StreamingResponseUpdateKind>();
        ResponseResult? completed = null;
        string? doneText = null;
        int expectedSequence = 0;

        await foreach (var update in await _client.CreateResponseStreamingAsync(Model, "Tell me about streams."))
        {
            Assert.Equal(expectedSequence++, update.SequenceNumber);
            kinds.Add(update.Kind);
            switch (update)
            {
                case StreamingResponseOutputTextDeltaUpdate delta:
                    text.Append(delta.Delta);
                    break;
                case StreamingResponseOutputTextDoneUpdate done:
                    doneText = done.Text;
                    break;
                case StreamingResponseCompletedUpdate c:
                    completed = c.Response;
                    break;
            }
        }

        Assert.Equal(StreamingResponseUpdateKind.ResponseCreated, kinds[0]);
        Assert.Equal(StreamingResponseUpdateKind.ResponseCompleted, kinds[^1]);
        Assert.NotNull(completed);
        Assert.Equal(ResponseStatus.Completed, completed.Status);
        Assert.True(text.Length > 0);
        Assert.Equal(text.ToString(), doneText);
        Assert.Equal(text.ToString(), completed.GetOutputText());
    }

    [Theory, InlineData(false), InlineData(true)]
    public async Task FunctionTool_RoundTripWithPreviousResponseId_AnswersWithToolResult(bool streaming)
    {
        var tool = ResponseTool.CreateFunctionTool("get_weather",
            BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""),
            strictModeEnabled: false, functionDescription: "Gets the current weather for a city.");
        var first = new CreateResponseOptions(Model, [ResponseItem.CreateUserMessageItem("What is the weather in Paris? Use get_weather.")])
        {
            Instructions = "Answer briefly.",
            Temperature = 0.5f,
            MaxOutputTokenCount = 500,
            ToolChoice = ResponseToolChoice.CreateAutoChoice(),
            ParallelToolCallsEnabled = false,
        };
        first.Tools.Add(tool);
        first.Metadata["case"] = "sdk";

        ResponseResult call = await CreateAsync(first, streaming);

        Assert.True(Math.Abs((DateTimeOffset.UtcNow - call.CreatedAt).TotalMinutes) < 5, $"created_at {call.CreatedAt}");
        var instructions = Assert.IsAssignableFrom<MessageResponseItem>(Assert.Single(call.Instructions));
        Assert.Equal("Answer briefly.", Assert.Single(instructions.Content).Text);
        Assert.Equal(ResponseToolChoiceKind.Auto, call.ToolChoice.Kind);
        Assert.Equal(ResponseTextFormatKind.Text, call.TextOptions.TextFormat.Kind);
        Assert.Equal(0.5f, call.Temperature);
        Assert.Equal(500, call.MaxOutputTokenCount);
        Assert.False(call.ParallelToolCallsEnabled);
        Assert.Equal("sdk", call.Metadata["case"]);
        Assert.Equal("get_weather", Assert.IsAssignableFrom<FunctionTool>(Assert.Single(call.Tools)).FunctionName);
        var fc = Assert.IsAssignableFrom<FunctionCallResponseItem>(Assert.Single(call.OutputItems));
        Assert.StartsWith("fc_", fc.Id);
        Assert.StartsWith("call_", fc.CallId);
        Assert.Equal("get_weather", fc.FunctionName);
        using (var args = JsonDocument.Parse(fc.FunctionArguments))
        {
            Assert.Equal(JsonValueKind.String, args.RootElement.GetProperty("city").ValueKind);
        }

        var second = new CreateResponseOptions(Model, [ResponseItem.CreateFunctionCallOutputItem(fc.CallId, "Sunny, 24 C.")])
        {
            PreviousResponseId = call.Id,
        };
        second.Tools.Add(tool);

        ResponseResult answer = await CreateAsync(second, streaming);

        Assert.Equal(call.Id, answer.PreviousResponseId);
        Assert.IsAssignableFrom<MessageResponseItem>(Assert.Single(answer.OutputItems));
        Assert.Contains("Sunny, 24 C.", answer.GetOutputText(), StringComparison.Ordinal);
        Assert.True(answer.Usage.InputTokenCount > call.Usage.InputTokenCount);
    }

    [Fact]
    public async Task GetAndDeleteResponse_Stored_RoundTrips()
    {
        ResponseResult created = await _client.CreateResponseAsync(Model, "Keep this one.");

        ResponseResult fetched = await _client.GetResponseAsync(created.Id);
        Assert.Equal(created.Id, fetched.Id);
        Assert.Equal(created.GetOutputText(), fetched.GetOutputText());
        Assert.Equal(created.Usage.TotalTokenCount, fetched.Usage.TotalTokenCount);

        var items = new List<ResponseItem>();
        await foreach (var item in _client.GetResponseInputItemsAsync(created.Id))
        {
            items.Add(item);
        }

        var input = Assert.IsAssignableFrom<MessageResponseItem>(Assert.Single(items));
        Assert.Equal("Keep this one.", Assert.Single(input.Content).Text);

        ResponseDeletionResult deleted = await _client.DeleteResponseAsync(created.Id);
        Assert.Equal(created.Id, deleted.ResponseId);
        Assert.True(deleted.Deleted);

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => _client.GetResponseAsync(created.Id));
        Assert.Equal(404, ex.Status);
    }

    [Fact]
    public async Task CreateResponse_UnknownPreviousResponseId_ThrowsWithStatusAndCode()
    {
        var options = new CreateResponseOptions(Model, [ResponseItem.CreateUserMessageItem("hi")]) { PreviousResponseId = "resp_missing" };

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => _client.CreateResponseAsync(options));

        Assert.Equal(400, ex.Status);
        Assert.Contains("previous_response_not_found", ex.Message, StringComparison.Ordinal);
    }

    private async Task<ResponseResult> CreateAsync(CreateResponseOptions options, bool streaming)
    {
        if (!streaming)
        {
            return await _client.CreateResponseAsync(options);
        }

        options.StreamingEnabled = true;
        ResponseResult? completed = null;
        await foreach (var update in await _client.CreateResponseStreamingAsync(options))
        {
            if (update is StreamingResponseCompletedUpdate c)
            {
                completed = c.Response;
            }
        }

        return Assert.IsType<ResponseResult>(completed);
    }
}
