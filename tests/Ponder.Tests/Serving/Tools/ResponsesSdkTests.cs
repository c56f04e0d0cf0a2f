#pragma warning disable OPENAI001 // the SDK's Responses client is experimental
using System.ClientModel;
using OpenAI.Responses;

namespace Ponder.Tests.Serving.Tools;

/// <summary>The official OpenAI .NET SDK's Responses client completes the tool round trip: a function_call item, its
/// output sent back as a function_call_output item, the final answer.</summary>
[Collection(ToolModelGroup.Name)]
public sealed class ResponsesSdkTests(ToolModel tools)
{
    static CreateResponseOptions Options(IEnumerable<ResponseItem> input)
    {
        var options = new CreateResponseOptions(ToolModel.Model, input) { Temperature = 0, MaxOutputTokenCount = 200 };
        foreach (var f in new[] { ToolModel.Weather, ToolModel.Climate })
        {
            options.Tools.Add(
                ResponseTool.CreateFunctionTool(f.Name, BinaryData.FromString(ToolModel.Schema), null, f.Description)
            );
        }
        return options;
    }

    [Fact]
    public async Task Given_tools_Then_the_SDK_s_Responses_client_completes_the_round_trip()
    {
        var client = new ResponsesClient(
            new ApiKeyCredential("unused"),
            new ResponsesClientOptions { Endpoint = tools.Harness.V1 }
        );
        List<ResponseItem> input = [ResponseItem.CreateUserMessageItem(ToolModel.Question)];

        ResponseResult first = await client.CreateResponseAsync(Options(input));

        var call = Assert.Single(first.OutputItems.OfType<FunctionCallResponseItem>());
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("""{"city": "Paris"}""", call.FunctionArguments.ToString());

        input.AddRange(first.OutputItems);
        input.Add(ResponseItem.CreateFunctionCallOutputItem(call.CallId, ToolModel.Result));
        ResponseResult second = await client.CreateResponseAsync(Options(input));

        Assert.Equal(ToolModel.FinalAnswer, second.GetOutputText());
    }
}
