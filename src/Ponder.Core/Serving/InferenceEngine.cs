using System.Collections.Concurrent;
using System.Threading.Channels;
using Ponder.Generation;
using Ponder.LanguageModels;
using Ponder.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Ponder.Serving;

/// <summary>
/// Continuous batching on one dedicated inference thread (TorchSharp's dispose scopes are thread-static, so every
/// tensor lives and dies there). Requests arrive as plain data through a channel and join the running batch between
/// decode steps; each sequence streams its text back through its own <see cref="SequenceHandle"/>. Safe to call
/// from any thread. Does not own the model.
/// </summary>
public sealed class InferenceEngine : IDisposable
{
    readonly LanguageModel lm;
    readonly EngineOptions options;
    readonly SequenceContext context;
    readonly Channel<SequenceHandle> queue = Channel.CreateUnbounded<SequenceHandle>(
        new UnboundedChannelOptions { SingleReader = true }
    );
    readonly CancellationTokenSource stopping = new();
    readonly ConcurrentQueue<(Action<LanguageModel> Change, TaskCompletionSource Done)> updates = new();
    TaskCompletionSource wake = NewSignal();
    Task<bool>? pendingRead;
    readonly Thread thread;
    int waiting,
        active;
    long idleLiveTensors = -1;
    int disposed;

    public InferenceEngine(LanguageModel lm, EngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(lm);
        this.lm = lm;
        this.options = (options ?? new EngineOptions()).Validate();
        var format =
            lm.Prompt
            ?? throw new PonderException(
                "serving needs a model with a chat template: its own chat_template (tokenizer_config.json or "
                    + "chat_template.jinja) or the ChatML thinking tokens (<|im_start|>, <|im_end|>, <think>, "
                    + "</think>)."
            );
        Prompt = format;
        context = new SequenceContext(
            lm.Tokenizer,
            lm.StopTokenIds.Concat(format.EndOfTurnIds).ToHashSet(),
            format.ThinkEndId,
            format.ThinkStartId
        );
        thread = new Thread(Run) { IsBackground = true, Name = "ponder-inference" };
        thread.Start();
    }

    /// <summary>
    /// Changes the model's weights on the inference thread (e.g. new weights from disk, a LoRA adapter): sequences
    /// that are running finish first with the weights they started with, waiting ones start after the change. The
    /// task ends when the change has been made, or with its exception.
    /// </summary>
    public Task UpdateWeightsAsync(Action<LanguageModel> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        ObjectDisposedException.ThrowIf(stopping.IsCancellationRequested, this);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        updates.Enqueue((change, done));
        Volatile.Read(ref wake).TrySetResult();
        return done.Task;
    }

    static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Blocks the idle inference thread until a request or a weight change arrives; false when the queue is
    /// closed.</summary>
    bool WaitForWork()
    {
        var signal = Volatile.Read(ref wake);
        if (!updates.IsEmpty)
            return true;
        pendingRead ??= queue.Reader.WaitToReadAsync(stopping.Token).AsTask();
        Task.WhenAny(pendingRead, signal.Task).GetAwaiter().GetResult();
        if (!pendingRead.IsCompleted)
            return true;
        var read = pendingRead;
        pendingRead = null;
        return read.GetAwaiter().GetResult();
    }

    /// <summary>Makes the queued weight changes (the engine is idle).</summary>
    void ApplyUpdates()
    {
        Volatile.Write(ref wake, NewSignal());
        while (updates.TryDequeue(out var update))
        {
            try
            {
                update.Change(lm);
                update.Done.TrySetResult();
            }
            catch (Exception e)
            {
                update.Done.TrySetException(e);
            }
        }
    }

    /// <summary>How this model's prompts are rendered.</summary>
    public PromptFormat Prompt { get; }

    /// <summary>The ids that end a sequence (end of text, end of turn): a completion's last id when it stopped by
    /// one.</summary>
    public IReadOnlySet<int> StopTokenIds => context.StopTokenIds;
    public LanguageModel Model => lm;

    /// <summary>Sequences waiting for a slot.</summary>
    public int Waiting => Volatile.Read(ref waiting);

    /// <summary>Sequences in the running batch.</summary>
    public int Active => Volatile.Read(ref active);

    /// <summary>Tensors created on the inference thread since it started and still alive, sampled whenever the batch
    /// runs empty (−1 before that). Constant across idle moments when nothing leaks (pinned by a test).</summary>
    public long IdleLiveTensors => Interlocked.Read(ref idleLiveTensors);

    /// <summary>The model's context length in tokens.</summary>
    public int ContextLength => lm.Config.MaxPositionEmbeddings;

    /// <summary>Token ids the model can generate: the tokenizer's, at most the network's vocabulary (the rest is
    /// padding that is never chosen).</summary>
    public int VocabSize => Math.Min(lm.Tokenizer.VocabSize, lm.Config.VocabSize);

    /// <summary>The limits this engine runs with.</summary>
    public EngineOptions Options => options;

    /// <summary>Queues a sequence. Throws <see cref="PonderException"/> for an invalid request and
    /// <see cref="EngineBusyException"/> when <see cref="EngineOptions.MaxQueue"/> sequences are already
    /// waiting.</summary>
    public SequenceHandle Submit(GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request);
        if (Interlocked.Increment(ref waiting) > options.MaxQueue + Math.Max(0, options.MaxConcurrency - Active))
        {
            Interlocked.Decrement(ref waiting);
            throw new EngineBusyException();
        }
        var handle = new SequenceHandle(request);
        queue.Writer.TryWrite(handle);
        return handle;
    }

    void Validate(GenerationRequest r)
    {
        if (r.PromptIds.Count == 0)
            throw new PonderException("the prompt is empty.");
        if (r.MaxNewTokens < 1)
            throw new PonderException($"max tokens {r.MaxNewTokens} must be at least 1.");
        if (r.PromptIds.Count + r.MaxNewTokens > ContextLength)
        {
            throw new PonderException(
                $"the prompt has {r.PromptIds.Count} tokens; with {r.MaxNewTokens} completion tokens that "
                    + $"exceeds the model's context of {ContextLength} tokens. Shorten the messages or lower the "
                    + $"max tokens to at most {Math.Max(0, ContextLength - r.PromptIds.Count)}."
            );
        }

        if (double.IsNaN(r.Temperature) || r.Temperature < 0 || r.Temperature > 2)
            throw new PonderException($"temperature {r.Temperature} must be in [0, 2].");
        if (double.IsNaN(r.TopP) || r.TopP <= 0 || r.TopP > 1)
            throw new PonderException($"top_p {r.TopP} must be in (0, 1].");
        if (r.TopK < -1)
            throw new PonderException($"top_k {r.TopK} must be -1 or 0 (off) or positive.");
        if (double.IsNaN(r.MinP) || r.MinP < 0 || r.MinP > 1)
            throw new PonderException($"min_p {r.MinP} must be in [0, 1].");
        if (r.MaxThinkingTokens < 0)
            throw new PonderException($"the thinking budget {r.MaxThinkingTokens} must be 0 or more.");
        if (r.TopLogprobs is < 0 or > ModelLogprobs.MaxTop)
            throw new PonderException($"top logprobs {r.TopLogprobs} must be in [0, {ModelLogprobs.MaxTop}].");
        if (r.Stop.Any(string.IsNullOrEmpty))
            throw new PonderException("stop strings must not be empty.");
        if (double.IsNaN(r.FrequencyPenalty) || Math.Abs(r.FrequencyPenalty) > 2)
            throw new PonderException($"frequency penalty {r.FrequencyPenalty} must be in [-2, 2].");
        if (double.IsNaN(r.PresencePenalty) || Math.Abs(r.PresencePenalty) > 2)
            throw new PonderException($"presence penalty {r.PresencePenalty} must be in [-2, 2].");
        foreach (var (id, bias) in r.LogitBias)
        {
            if (id < 0 || id >= VocabSize)
                throw new PonderException($"logit bias token id {id} must be in [0, {VocabSize - 1}].");
            if (double.IsNaN(bias) || Math.Abs(bias) > 100)
                throw new PonderException($"logit bias {bias} of token {id} must be in [-100, 100].");
        }
    }

    void Run()
    {
        DisposeScopeManager.Statistics.Reset();
        using var mode = inference_mode();
        using var engine = new DecodeEngine(
            lm.Network,
            lm.Tokenizer,
            context.StopTokenIds,
            options.MaxConcurrency,
            prefillChunk: options.PrefillChunk,
            startSlots: 1,
            thinkStart: context.ThinkStartId,
            thinkEnd: context.ThinkEndId
        );
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (engine.Count == 0 && !WaitForWork())
                    break;
                // A pending weight change admits nobody: the running rows finish, then it is made.
                while (updates.IsEmpty && engine.HasRoom && queue.Reader.TryRead(out var handle))
                {
                    Interlocked.Decrement(ref waiting);
                    if (handle.IsCancelled)
                        handle.Abandon(null);
                    else
                        Add(engine, handle);
                }
                // Count them as active before their first token is out: Submit's capacity check reads this, and a
                // client that saw a delta must not find the slot still free.
                Volatile.Write(ref active, engine.Count);
                if (engine.Count > 0)
                    engine.Step();
                Volatile.Write(ref active, engine.Count);
                if (engine.Count == 0 && !updates.IsEmpty)
                    ApplyUpdates();
                if (engine.Count == 0)
                    Interlocked.Exchange(ref idleLiveTensors, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Fail(engine, e);
            }
        }
        Fail(engine, new ObjectDisposedException(nameof(InferenceEngine)));
        while (queue.Reader.TryRead(out var left))
            left.Abandon(new ObjectDisposedException(nameof(InferenceEngine)));
        while (updates.TryDequeue(out var update))
            update.Done.TrySetException(new ObjectDisposedException(nameof(InferenceEngine)));
    }

    /// <summary>Adds a sequence to the engine; one the engine cannot take (no memory for its cache) fails
    /// alone.</summary>
    void Add(DecodeEngine engine, SequenceHandle handle)
    {
        try
        {
            engine.Add(new ActiveSequence(handle, context).Row);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            handle.Abandon(e);
        }
    }

    /// <summary>Ends every sequence in <paramref name="engine"/> with <paramref name="error"/>.</summary>
    void Fail(DecodeEngine engine, Exception error)
    {
        foreach (var row in engine.Clear())
            ((ActiveSequence)row.Listener!).Handle.Abandon(error);
        Volatile.Write(ref active, 0);
    }

    /// <summary>Stops the inference thread; running and waiting sequences fail with
    /// <see cref="ObjectDisposedException"/>. A second call does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
            return;
        stopping.Cancel();
        queue.Writer.TryComplete();
        thread.Join();
        stopping.Dispose();
    }
}
