using System.Text;
using System.Text.Json;
using OpenAI.Chat;
using Ponder.Environments;
using Ponder.Generation;
using Ponder.Rollouts;
using Ponder.Tasks;
using Ponder.Text;
using ApiMessage = OpenAI.Chat.ChatMessage;
using PonderMessage = Ponder.Text.ChatMessage;

namespace Ponder.Clients;

/// <summary>
/// Multi-turn evaluation of an endpoint with tools: each sample is a conversation over chat completions in which the
/// server only writes calls and Ponder runs them (<see cref="IEpisode.Act"/>), sends the results back as
/// <c>role: tool</c> messages and asks again, until a turn without calls (graded by the task's grader through the
/// episode) or the turn limit. The token budget is the sampling options' <c>MaxNewTokens</c> over all turns: each
/// request's <c>max_tokens</c> is what the earlier turns' <c>usage.completion_tokens</c> left, so with and without
/// tools a model spends the same budget.
/// </summary>
public sealed partial class EndpointRollouts
{
    /// <summary>
    /// Samples <see cref="SamplingOptions.N"/> conversations per problem in <paramref name="environment"/>. The
    /// tools' definitions are sent as <c>tools</c> when <see cref="MultiTurnOptions.DescribeTools"/> is on; calls
    /// come from the response's <c>tool_calls</c>, or, when it has none, from Hermes <c>&lt;tool_call&gt;</c> blocks
    /// in its content (a server without a tool parser, or a model trained here whose prompt names the tool).
    /// </summary>
    public async Task<IReadOnlyList<Rollout>> RunAsync(
        IEnvironment environment,
        MultiTurnOptions turns,
        IReadOnlyList<Problem> problems,
        SamplingOptions sampling,
        Action<Rollout>? onRollout = null,
        CancellationToken cancellation = default
    )
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(turns);
        turns.Validate();
        var tools = turns.DescribeTools ? environment.Tools.Select(ToChatTool).ToList() : [];
        var results = new List<Rollout>();
        int total = problems.Count * sampling.N;
        for (int p = 0; p < problems.Count; p++)
        {
            for (int s = 0; s < sampling.N; s++)
            {
                var conversation = new Conversation(environment.Reset(problems[p]), p, s);
                while (!conversation.Done)
                {
                    var request = CompletionOptions(sampling, s, sampling.MaxNewTokens - conversation.Used);
                    foreach (var tool in tools)
                        request.Tools.Add(tool);
                    var completion = await CompleteAsync(
                        conversation.Messages,
                        request,
                        results.Count,
                        total,
                        cancellation
                    );
                    conversation.Take(completion, turns.MaxTurns, sampling.MaxNewTokens);
                }
                var rollout = conversation.ToRollout(problems[p]);
                results.Add(rollout);
                onRollout?.Invoke(rollout);
            }
        }

        return results;
    }

    /// <summary>An OpenAI function definition (<c>{"type": "function", "function": {name, description,
    /// parameters}}</c>) as the SDK's tool.</summary>
    static ChatTool ToChatTool(JsonElement definition)
    {
        var function = definition.GetProperty("function");
        string? description = function.TryGetProperty("description", out var d) ? d.GetString() : null;
        BinaryData? parameters = function.TryGetProperty("parameters", out var schema)
            ? BinaryData.FromString(schema.GetRawText())
            : null;
        return ChatTool.CreateFunctionTool(function.GetProperty("name").GetString()!, description, parameters);
    }

    /// <summary>One sample's conversation: the messages sent so far and what its turns spent.</summary>
    sealed class Conversation(IEpisode episode, int promptIndex, int sampleIndex)
    {
        readonly StringBuilder transcript = new();
        readonly StringBuilder reasoning = new();
        int turns,
            calls,
            reasoningTokens;
        string answer = "";
        ChatFinishReason finish = ChatFinishReason.Stop;
        Grade? grade;

        public List<ApiMessage> Messages { get; } = [.. episode.Observation.Select(m => ToApi(m))];

        /// <summary>Completion tokens the turns so far used (the server's <c>usage.completion_tokens</c>).</summary>
        public int Used { get; private set; }

        public bool Done => grade is not null;

        /// <summary>Takes one turn's response: the episode runs its calls, or grades it when it made none, when
        /// it was the last turn allowed, or when it left no budget (or was cut by it).</summary>
        public void Take(ChatCompletion completion, int maxTurns, int budget)
        {
            turns++;
            Used += completion.Usage?.OutputTokenCount ?? 0;
            int thought = completion.Usage?.OutputTokenDetails?.ReasoningTokenCount ?? 0;
            reasoningTokens += thought;
            finish = completion.FinishReason;
            var turn = Read(completion);
            answer = turn.Answer;
            calls += turn.Calls.Count;
            if (turn.Reasoning.Length > 0)
                reasoning.Append(reasoning.Length > 0 ? "\n" : "").Append(turn.Reasoning);
            transcript.Append(turn.Answer).Append(turn.CallsText);
            bool last = turns >= maxTurns || Used >= budget || finish == ChatFinishReason.Length;
            EnvironmentStep step;
            try
            {
                step = episode.Act(new ModelTurn(turn.Answer, [.. turn.Calls.Select(c => c.Call)]), last);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // As a local rollout: a failing tool or grader is this sample's error, not the end of the eval.
                grade = new Grade(false, null) { Error = $"{e.GetType().Name}: {e.Message}" };
                return;
            }
            if (step.Done)
            {
                grade = step.Grade ?? new Grade(false, null) { Error = "the episode ended without a grade" };
                return;
            }
            Messages.Add(Assistant(turn.Content, turn.Calls));
            for (int i = 0; i < step.Observation.Count; i++)
            {
                // The server's call ids, not the episode's: the server matches results to its calls by them.
                string id = i < turn.Calls.Count ? turn.Calls[i].Id : step.Observation[i].ToolCallId ?? $"call_{i}";
                Messages.Add(new ToolChatMessage(id, step.Observation[i].Content));
                transcript
                    .Append("\n<tool_response>\n")
                    .Append(step.Observation[i].Content)
                    .Append("\n</tool_response>\n");
            }
        }

        /// <summary>What one response holds.</summary>
        /// <param name="Reasoning">A raw model's <c>&lt;think&gt;</c> block, else empty.</param>
        /// <param name="Answer">The content after that block: what the episode grades (calls written in it
        /// included).</param>
        /// <param name="Content">The answer without calls written in it: the assistant message sent back, whose
        /// calls travel in <c>tool_calls</c>.</param>
        /// <param name="Calls">The calls with their ids (the server's, or numbered here for calls read out of the
        /// content).</param>
        /// <param name="CallsText">Calls the server returned apart from the content, as the content would have
        /// carried them (for the transcript); empty when they were in the content.</param>
        readonly record struct Turn(
            string Reasoning,
            string Answer,
            string Content,
            List<(string Id, ToolCall Call)> Calls,
            string CallsText
        );

        Turn Read(ChatCompletion c)
        {
            string content = string.Concat(c.Content.Select(part => part.Text));
            var (thought, text, _) = content.Contains(ChatTemplate.ThinkEnd, StringComparison.Ordinal)
                ? ChatTemplate.SplitReasoning(content, promptOpenedThinking: false)
                : ("", content, true);
            if (c.ToolCalls.Count > 0)
            {
                var fromApi = c
                    .ToolCalls.Select(t => (t.Id, new ToolCall(t.FunctionName, t.FunctionArguments.ToString())))
                    .ToList();
                var asMessage = new PonderMessage(ChatRole.Assistant, text, null, [.. fromApi.Select(x => x.Item2)]);
                return new Turn(thought, text, text, fromApi, ChatTemplate.CallsText(asMessage));
            }
            var (outside, parsed) = ToolCalls.Parse(text, ToolCallFormat.Hermes);
            var numbered = parsed.Select((call, i) => ($"call_{calls + i}", call)).ToList();
            return new Turn(thought, text, parsed.Count > 0 ? outside ?? "" : text, numbered, "");
        }

        public Rollout ToRollout(Problem problem)
        {
            var reason = finish == ChatFinishReason.Length ? FinishReason.Length : FinishReason.Stop;
            var completion = new Completion(promptIndex, sampleIndex, [], [], [], transcript.ToString(), reason, null);
            return new Rollout(
                problem,
                completion,
                reasoning.ToString(),
                answer,
                grade!,
                reasoningTokens,
                Math.Max(0, Used - reasoningTokens),
                reason == FinishReason.Stop && answer.Trim().Length > 0
            )
            {
                Turns = turns,
                ToolCalls = calls,
            };
        }

        static AssistantChatMessage Assistant(string content, List<(string Id, ToolCall Call)> calls)
        {
            var message = new AssistantChatMessage(
                calls.Select(c =>
                    ChatToolCall.CreateFunctionToolCall(c.Id, c.Call.Name, BinaryData.FromString(c.Call.ArgumentsJson))
                )
            );
            if (content.Length > 0)
                message.Content.Add(ChatMessageContentPart.CreateTextPart(content));
            return message;
        }

        static ApiMessage ToApi(PonderMessage m) =>
            m.Role switch
            {
                ChatRole.System or ChatRole.Developer => new SystemChatMessage(m.Content),
                ChatRole.User => new UserChatMessage(m.Content),
                _ => throw new ArgumentException($"an episode's first observation has a {m.Role} message", nameof(m)),
            };
    }
}
