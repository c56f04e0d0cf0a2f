using Ponder.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Ponder.Tests.Checkpoints;

public sealed class SafeTensorsLeakTests
{
    [Fact]
    public void Given_a_file_When_read_with_conversion_inside_a_dispose_scope_Then_no_tensor_outlives_the_scope()
    {
        using var dir = new TempDir();
        string path = dir.File("leak.safetensors");
        using (NewDisposeScope())
        {
            SafeTensors.Write(
                path,
                new Dictionary<string, Tensor>
                {
                    ["a"] = randn([64, 32], generator: new Generator(1)),
                    ["b"] = arange(10),
                }
            );
        }
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        using (NewDisposeScope())
        {
            var loaded = SafeTensors.Read(path, convertTo: ScalarType.BFloat16);
            SafeTensors.Write(dir.File("copy.safetensors"), loaded);
            Assert.Equal(2, loaded.Count);
        }

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Given_a_file_When_read_without_a_scope_and_the_result_disposed_Then_no_intermediate_tensor_is_left()
    {
        using var dir = new TempDir();
        string path = dir.File("leak2.safetensors");
        using (NewDisposeScope())
            SafeTensors.Write(path, new Dictionary<string, Tensor> { ["a"] = ones(4, 4) });
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        var loaded = SafeTensors.Read(path, convertTo: ScalarType.Float64);
        foreach (var t in loaded.Values)
            t.Dispose();

        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
