using Ponder.Cli;
using Ponder.Runtime;

// The process's own command line tunes libtorch's thread count to a shared CPU (in-process callers, such as tests,
// keep a fixed count). PONDER_THREADS or a bench's --threads fixes it instead.
ThreadTuner.Shared.Enable();
return Cli.Run(args, Console.Out, Console.Error);
