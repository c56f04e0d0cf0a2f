using System.Runtime.CompilerServices;
using TorchSharp;

namespace Ponder.Tests;

static class TestSetup
{
    /// <summary>
    /// xunit runs test classes in parallel, one per core. libtorch's default of one OpenMP thread per core would then
    /// oversubscribe the machine, and OpenMP threads spin-waiting for each other slow small ops by orders of magnitude.
    /// One intra-op thread per test keeps every core busy with useful work.
    /// </summary>
    [ModuleInitializer]
    internal static void OneTorchThreadPerTest() => torch.set_num_threads(1);
}
