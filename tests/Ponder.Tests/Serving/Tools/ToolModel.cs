using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Ponder.LanguageModels;
using Ponder.Model;
using Ponder.Server;
using Ponder.Text;
using Ponder.Training;
using static TorchSharp.torch;

namespace Ponder.Tests.Serving.Tools;

/// <summary>
/// A tiny built-in-ChatML model overfit by SFT so that greedy decoding really calls functions. Its reasoning always
/// holds <see cref="Secret"/> (which must never leave the server); given the two tools and "What is the weather in
/// Paris?" it calls <c>get_weather</c> for Paris, after the result "21" it answers <see cref="FinalAnswer"/>, and
/// asked to "Break the tool" it writes a call whose JSON does not parse. The prompts it learns are rendered exactly as
/// the server renders requests (the same template, tools and messages), and its context is 2048 so a conversation
/// with the tools block fits. Served by one in-process server for the collection.
/// </summary>
public sealed class ToolModel : IAsyncLifetime
{
    public const string Secret = "SECRETPLAN";
    public const string Question = "What is the weather in Paris?";
    public const string BreakIt = "Break the tool";
    public const string FinalAnswer = "It is 21 degrees.";
    public const string Result = "21";
    public const string Model = "tools";

    /// <summary>get_weather(city) as <c>AIFunctionFactory.Create</c> declares it: every client in the tests sends
    /// this name, description and parameters' schema, so every prompt is the one the model learned.</summary>
    public static AIFunction Weather { get; } =
        AIFunctionFactory.Create((string city) => city == "Paris" ? Result : "unknown", "get_weather", "Weather");

    /// <summary>get_climate(city): a second tool, named as long as get_weather so that an opening forced to name it
    /// leaves the arguments where the model learned to write them.</summary>
    public static AIFunction Climate { get; } =
        AIFunctionFactory.Create((string city) => "mild", "get_climate", "Climate");

    /// <summary>The parameters' schema both tools share, as JSON text.</summary>
    public static string Schema => Weather.JsonSchema.GetRawText();

    /// <summary>Chat completions' <c>tools</c>.</summary>
    public static JsonArray ChatTools() =>
        [
            .. new[] { Weather, Climate }.Select(f => new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject
                {
                    ["name"] = f.Name,
                    ["description"] = f.Description,
                    ["parameters"] = JsonNode.Parse(Schema),
                },
            }),
        ];

    public LanguageModel Lm { get; private set; } = null!;
    public ServerHarness Harness { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var config = Presets.Get("tiny", "qwen2", TextTokenizer.CreateByteLevel().VocabSize) with
        {
            MaxPositionEmbeddings = 2048,
        };
        Lm = LanguageModel.CreateFromConfig(config, seed: 11);
        Train(Lm);
        Harness = await ServerHarness.StartAsync(Lm, new ServerOptions { ModelId = Model });
    }

    public async Task DisposeAsync()
    {
        await Harness.DisposeAsync();
        Lm.Dispose();
    }

    /// <summary>The conversation with its call made and answered, as OpenAI messages (the call's arguments as JSON
    /// text, as clients send them; the server hands them to the template as an object, which the lesson does
    /// directly).</summary>
    public static JsonArray AfterCall(string callId, bool argumentsAsObject = false) =>
        [
            new JsonObject { ["role"] = "user", ["content"] = Question },
            new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = null,
                ["tool_calls"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["id"] = callId,
                        ["type"] = "function",
                        ["function"] = new JsonObject
                        {
                            ["name"] = "get_weather",
                            ["arguments"] = argumentsAsObject
                                ? new JsonObject { ["city"] = "Paris" }
                                : """{"city": "Paris"}""",
                        },
                    },
                },
            },
            new JsonObject
            {
                ["role"] = "tool",
                ["tool_call_id"] = callId,
                ["content"] = Result,
            },
        ];

    static JsonArray Ask(string user) => [new JsonObject { ["role"] = "user", ["content"] = user }];

    /// <summary>(messages, reasoning, answer) the model learns.</summary>
    static (JsonArray Messages, string Reasoning, string Answer)[] Lessons() =>
        [
            (Ask(Question), $"{Secret} ask the weather tool", Call("get_weather")),
            (AfterCall("call_1", argumentsAsObject: true), $"{Secret} read the result", FinalAnswer),
            (Ask(BreakIt), $"{Secret} break it", "<tool_call>\n{not json\n</tool_call>"),
            (Ask("What is the climate in Paris?"), $"{Secret} ask the climate tool", Call("get_climate")),
        ];

    static string Call(string name) =>
        $"<tool_call>\n{{\"name\": \"{name}\", \"arguments\": {{\"city\": \"Paris\"}}}}\n</tool_call>";

    static void Train(LanguageModel lm)
    {
        var tokenizer = lm.Tokenizer;
        var chat = lm.Chat!;
        var variables = new Dictionary<string, JsonElement>
        {
            ["tools"] = JsonSerializer.SerializeToElement(ChatTools()),
        };
        var examples = new List<(int[] Ids, bool[] Trainable)>();
        foreach (var (messages, reasoning, answer) in Lessons())
        {
            var prompt = lm.Prompt!.RenderForGeneration(
                JsonSerializer.SerializeToElement(messages),
                "lesson",
                variables
            );
            int[] completion =
            [
                .. tokenizer.Encode(reasoning + "\n"),
                chat.ThinkEndId,
                .. tokenizer.Encode(ChatTemplate.AnswerPrefix + answer),
                chat.EndOfTurnId,
            ];
            examples.Add(
                ([.. prompt.Ids, .. completion], [.. prompt.Ids.Select(_ => false), .. completion.Select(_ => true)])
            );
        }
        using var optimizer = new AdamW(lm.Network.named_parameters(), weightDecay: 0);
        lm.Network.train();
        for (int step = 0; step < Steps; step++)
        {
            using var scope = NewDisposeScope();
            var (ids, _, lossMask) = SftBatch.Collate(examples, padId: 0, lm.Network.Device);
            var logprobs = TokenLogprobs.Compute(lm.Network, ids, attentionMask: null);
            long targets = examples.Sum(e => (long)SftBatch.TargetCount(e.Trainable));
            SftLoss.MaskedNll(logprobs, lossMask, targets).backward();
            optimizer.Update(step < 10 ? 1e-2 * (step + 1) / 10 : 1e-2);
            optimizer.ZeroGrad();
        }
        lm.Network.eval();
    }

    const int Steps = 150;
}

[CollectionDefinition(Name)]
public sealed class ToolModelGroup : ICollectionFixture<ToolModel>
{
    public const string Name = "tool model";
}
