using System.ClientModel;
using OpenAI;
using OpenAI.Chat;
using Ponder.Generation;
using Ponder.Rollouts;
using Ponder.Tasks;
using Ponder.Text;

namespace Ponder.Clients;

/// <summary>Where and how to reach an OpenAI-compatible server (OpenAI, vLLM, Ollama, <c>ponder serve</c>).</summary>
/// <param name="Endpoint">Base URL, e.g. http://127.0.0.1:8000/v1.</param>
/// <param name="Model">The served model name.</param>
/// <param name="ApiKey">Sent as a bearer token. <value>The default value is "none" (local servers ignore
/// it).</value></param>
/// <param name="TimeoutSeconds">Per request. <value>The default value is 300.</value></param>
public sealed record EndpointOptions(Uri Endpoint, string Model, string ApiKey = "none", double TimeoutSeconds = 300);

/// <summary>
/// The same sample → grade step as <see cref="LocalRollouts"/>, against an OpenAI-compatible endpoint through the
/// official OpenAI .NET SDK. The server hides or strips reasoning; its usage reports reasoning tokens. When the
/// content still carries a <c>&lt;think&gt;…&lt;/think&gt;</c> block (a raw model), it is split off before grading.
/// </summary>
public sealed partial class EndpointRollouts
{
    readonly ChatClient client;
    readonly EndpointOptions options;

    public EndpointRollouts(EndpointOptions options)
    {
        this.options = options;
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = options.Endpoint,
            NetworkTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
        };
        clientOptions.RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(maxRetries: 1);
        client = new ChatClient(options.Model, new ApiKeyCredential(options.ApiKey), clientOptions);
    }

    /// <summary>
    /// Samples <see cref="SamplingOptions.N"/> completions per problem (one request each), calling
    /// <paramref name="onRollout"/> as each arrives so a caller can keep partial results. Unreachable servers and
    /// time-outs end in a <see cref="PonderException"/> that says how many samples were completed.
    /// </summary>
    public async Task<IReadOnlyList<Rollout>> RunAsync(
        IReasoningTask task,
        IReadOnlyList<Problem> problems,
        SamplingOptions sampling,
        Action<Rollout>? onRollout = null,
        CancellationToken cancellation = default
    )
    {
        var results = new List<Rollout>();
        int total = problems.Count * sampling.N;
        for (int p = 0; p < problems.Count; p++)
        {
            for (int s = 0; s < sampling.N; s++)
            {
                var completion = await CompleteAsync(
                    [new UserChatMessage(task.Prompt(problems[p]))],
                    CompletionOptions(sampling, s, sampling.MaxNewTokens),
                    results.Count,
                    total,
                    cancellation
                );
                var rollout = ToRollout(task, problems[p], p, s, completion);
                results.Add(rollout);
                onRollout?.Invoke(rollout);
            }
        }

        return results;
    }

    /// <summary>The request's settings: sample <paramref name="sample"/>'s seed, at most
    /// <paramref name="maxTokens"/> completion tokens.</summary>
    static ChatCompletionOptions CompletionOptions(SamplingOptions sampling, int sample, int maxTokens)
    {
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK; servers (vLLM, OpenAI) honour it.
        var options = new ChatCompletionOptions
        {
            Temperature = (float)sampling.Temperature,
            TopP = (float)sampling.TopP,
            MaxOutputTokenCount = maxTokens,
            Seed = sampling.Seed is long seed ? seed + sample : null,
        };
#pragma warning restore OPENAI001
        foreach (var stop in sampling.Stop)
            options.StopSequences.Add(stop);
        return options;
    }

    /// <summary>One request; a network or server failure ends in a <see cref="PonderException"/> saying how many of
    /// <paramref name="total"/> samples were <paramref name="done"/>.</summary>
    async Task<ChatCompletion> CompleteAsync(
        IEnumerable<OpenAI.Chat.ChatMessage> messages,
        ChatCompletionOptions completionOptions,
        int done,
        int total,
        CancellationToken cancellation
    )
    {
        try
        {
            return (await client.CompleteChatAsync(messages, completionOptions, cancellation)).Value;
        }
        catch (Exception e) when (Transport(e) is { } cause)
        {
            throw new PonderException(
                $"endpoint {options.Endpoint}: {Describe(cause)} after {done} of {total} samples; the completed "
                    + "samples were kept.",
                e
            );
        }
    }

    /// <summary>The network or server failure behind <paramref name="e"/> (the SDK wraps retries in an
    /// AggregateException), or null.</summary>
    static Exception? Transport(Exception e) =>
        e switch
        {
            ClientResultException or HttpRequestException or TaskCanceledException or TimeoutException => e,
            AggregateException a => a.InnerExceptions.Select(Transport).LastOrDefault(x => x is not null),
            _ => null,
        };

    static string Describe(Exception e) =>
        e switch
        {
            ClientResultException { Status: 401 } => "refused the API key (401); pass --api-key",
            ClientResultException { Status: 404 } c =>
                $"does not serve that model or path (404: {c.Message.Split('\n')[0]}); check --model-name and "
                    + "that the URL ends in /v1",
            ClientResultException c when c.Status != 0 => $"answered {c.Status} ({c.Message.Split('\n')[0]})",
            ClientResultException or HttpRequestException => $"could not be reached ({e.Message.Split('\n')[0]})",
            _ => "timed out",
        };

    static Rollout ToRollout(IReasoningTask task, Problem problem, int promptIndex, int sampleIndex, ChatCompletion c)
    {
        string content = string.Concat(c.Content.Select(part => part.Text));
        bool raw = content.Contains(ChatTemplate.ThinkEnd, StringComparison.Ordinal);
        var (reasoning, answer, _) = raw
            ? ChatTemplate.SplitReasoning(content, promptOpenedThinking: false)
            : ("", content, true);
        int output = c.Usage?.OutputTokenCount ?? 0;
        int reasoningTokens = c.Usage?.OutputTokenDetails?.ReasoningTokenCount ?? 0;
        var finish = c.FinishReason == ChatFinishReason.Length ? FinishReason.Length : FinishReason.Stop;
        var completion = new Completion(promptIndex, sampleIndex, [], [], [], content, finish, null);
        var grade = LocalRollouts.SafeGrade(task, problem, answer);
        return new Rollout(
            problem,
            completion,
            reasoning,
            answer,
            grade,
            reasoningTokens,
            Math.Max(0, output - reasoningTokens),
            finish == FinishReason.Stop && answer.Trim().Length > 0
        );
    }
}
