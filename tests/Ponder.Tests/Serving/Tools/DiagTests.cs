using System.Text.Json;
using Ponder.Generation;
using Xunit.Abstractions;

namespace Ponder.Tests.Serving.Tools;

[Collection(ToolModelGroup.Name)]
public sealed class DiagTests(ToolModel tools, ITestOutputHelper output)
{
    [Fact]
    public async Task Diag()
    {
        foreach (var body in new[] {
            $$"""{"model":"tools","messages":[{"role":"user","content":"{{ToolModel.Question}}"}],"temperature":0,"max_tokens":200,"tools":{{ToolModel.ChatTools().ToJsonString()}}}""",
            $$"""{"model":"tools","messages":{{ToolModel.AfterCall("x").ToJsonString()}},"temperature":0,"max_tokens":200,"tools":{{ToolModel.ChatTools().ToJsonString()}}}""",
        })
        {
            var (status, json, _) = await tools.Harness.PostAsync("v1/chat/completions", body);
            output.WriteLine($"{status} {json}");
        }
        var variables = new Dictionary<string, JsonElement> { ["tools"] = JsonSerializer.SerializeToElement(ToolModel.ChatTools()) };
        var p = tools.Lm.Prompt!.RenderForGeneration(JsonSerializer.SerializeToElement(ToolModel.AfterCall("x")), "x", variables);
        output.WriteLine(p.Text);
        output.WriteLine(p.Ids.Count.ToString());
        output.WriteLine(string.Join(" ", ToolModel.Losses));
    }
}
